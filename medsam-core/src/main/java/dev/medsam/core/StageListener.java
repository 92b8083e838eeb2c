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
 * <h2>One request among many</h2>
 * The builder's listener hears every thread's stages. To time one request on a session that other requests share
 * (a server), open a scope on the request's thread: the stages that thread runs are reported to the scope's
 * listener as well, and another thread's stages never are. The session runs every stage on the thread that
 * called it, so this attributes each stage to the request that ran it; a request that waits for an image that
 * another request is encoding hears no encoder stage (that request does).
 * <pre>{@code
 * try (StageListener.Scope scope = session.listenOnCurrentThread(requestTimings)) {
 *     session.segment(session.encode(slice), objects, false);
 * }
 * }</pre>
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
        POSTPROCESS;

        /**
         * The coarser step this stage belongs to, the name under which {@code medsam segment --timings} and
         * {@code medsam serve}'s Server-Timing header add it up: {@code load} (checkpoint, backend, network),
         * {@code preprocess} (preset and preprocessing), {@code encode}, {@code decode} or {@code postprocess}.
         */
        public String step() {
            return switch (this) {
                case CHECKPOINT, BACKEND, NETWORK -> "load";
                case PRESET, PREPROCESS -> "preprocess";
                case ENCODER -> "encode";
                case DECODER -> "decode";
                case POSTPROCESS -> "postprocess";
            };
        }
    }

    /**
     * Stages of one thread reported to a listener until {@link #close()}; see
     * {@link SegmentationSession#listenOnCurrentThread(StageListener)}. Close it on the thread that opened it, in
     * the reverse order of opening (try-with-resources does both). Not thread-safe: it belongs to its thread.
     */
    final class Scope implements AutoCloseable {
        private final Thread owner;
        private final Runnable end;
        private boolean closed;

        Scope(Thread owner, Runnable end) {
            this.owner = owner;
            this.end = end;
        }

        /**
         * Stops reporting to the scope's listener. Idempotent.
         *
         * @throws IllegalStateException if called on another thread than the one that opened the scope, or
         *                               while a scope opened later on the same thread is still open
         */
        @Override
        public void close() {
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("a stage listener scope is closed on the thread that opened it ("
                        + owner.getName() + "), not on " + Thread.currentThread().getName());
            }
            if (!closed) {
                end.run();
                closed = true;
            }
        }
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
