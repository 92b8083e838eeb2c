package dev.medsam.core;

import java.time.Duration;

/**
 * Told how long each stage of a {@link SegmentationSession} took, as DJL's {@code Metrics} are: register one with
 * {@link SegmentationSession.Builder#stageListener(StageListener)} to time loading, preprocessing, the encoder and
 * the decoder without re-wiring the session.
 *
 * <pre>{@code
 * Map<StageListener.Stage, Duration> spent = new ConcurrentHashMap<>();
 * try (SegmentationSession session = SegmentationSession.builder(checkpoint)
 *         .stageListener((stage, took) -> spent.merge(stage, took, Duration::plus)).build()) {
 *     session.setImage(ctSlice);
 *     session.segment(Prompts.of(new Box(95, 255, 190, 350)));
 * }
 * }</pre>
 *
 * <h2>Threads and cost</h2>
 * Called on the thread that ran the stage, right after it, and possibly from several threads at once when the
 * session is shared: implementations must be thread-safe and cheap (they run inside the timed calls, holding
 * the session open). An exception thrown by the listener propagates to the caller of the session method.
 *
 * <h2>What is reported</h2>
 * Each stage as it completes; a stage that repeats (one decoder pass per group of same-structure prompts)
 * is reported once per run. An image found in the embedding cache reports no {@link Stage#PRESET},
 * {@link Stage#PREPROCESS} or {@link Stage#ENCODER}. Durations are wall-clock ({@link System#nanoTime()}).
 */
@FunctionalInterface
public interface StageListener {

    /** The stages of a session, in the order a request passes them. */
    enum Stage {
        /** Reading and parsing the checkpoint file ({@link SegmentationSession.Builder#build()}). */
        CHECKPOINT,
        /** Finding and starting the backend ({@link SegmentationSession.Builder#build()}). */
        BACKEND,
        /** Building the network from the checkpoint's weights on the backend. */
        NETWORK,
        /** Bringing the image to 8 bits with its intensity preset (CT window, percentiles, ...). */
        PRESET,
        /** The pipeline's preprocessing: resize, normalise, pad to the model frame. */
        PREPROCESS,
        /** The image encoder. */
        ENCODER,
        /** The prompt encoder and mask decoder, one batched pass. */
        DECODER,
        /** Logits of one decoder pass back to the image's size: probabilities and binary masks. */
        POSTPROCESS
    }

    /** A listener that ignores every report; what a session uses when none is registered. */
    static StageListener none() {
        return (stage, duration) -> {
        };
    }

    /**
     * A stage has completed.
     *
     * @param stage    the stage
     * @param duration its wall-clock time, never negative
     */
    void stageCompleted(Stage stage, Duration duration);
}
