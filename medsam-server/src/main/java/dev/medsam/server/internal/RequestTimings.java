package dev.medsam.server.internal;

import dev.medsam.core.StageListener;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where one request's time went, in the stages and under the names that {@code medsam segment --timings} prints:
 * <ul>
 *   <li>{@code load}: reading the image file (or finding it read);</li>
 *   <li>{@code preprocess}: the intensity preset over the whole volume, then the session's
 *       {@link StageListener.Stage#PRESET} and {@link StageListener.Stage#PREPROCESS};</li>
 *   <li>{@code encode}: the session's {@link StageListener.Stage#ENCODER}, and the rest of the session's encode
 *       call (the cache lookup, or waiting while another request encodes the same slice);</li>
 *   <li>{@code decode}: the session's {@link StageListener.Stage#DECODER} passes and the rest of its segment call
 *       (prompts into the model frame);</li>
 *   <li>{@code postprocess}: the session's {@link StageListener.Stage#POSTPROCESS};</li>
 *   <li>{@code write}: encoding the response file.</li>
 * </ul>
 * The session's stages come in as a {@link StageListener} that the request opens on its own thread
 * ({@link dev.medsam.core.SegmentationSession#listenOnCurrentThread}), so concurrent requests on the shared
 * session each hear only their own. The server's steps end with {@link #lap}, which books the time since the
 * previous lap less what the session reported meanwhile: the stages add up to the request's time and no
 * interval is counted twice. Thread-safe.
 */
public final class RequestTimings implements StageListener {

    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private long mark = System.nanoTime();
    /** Nanoseconds the session reported since {@link #mark}: already booked under the session's stages. */
    private long reportedSinceMark;

    @Override
    public synchronized void stageCompleted(Stage stage, Duration duration) {
        nanos.merge(stage.step(), duration.toNanos(), Long::sum);
        reportedSinceMark += duration.toNanos();
    }

    /** Ends a step of the server's own: the time since the previous lap, less the session's stages, goes to {@code stage}. */
    public synchronized void lap(String stage) {
        long now = System.nanoTime();
        nanos.merge(stage, Math.max(0, now - mark - reportedSinceMark), Long::sum);
        mark = now;
        reportedSinceMark = 0;
    }

    /** Milliseconds per stage, in the order the stages first ran. */
    public synchronized Map<String, Double> millis() {
        Map<String, Double> out = new LinkedHashMap<>();
        nanos.forEach((k, v) -> out.put(k, v / 1e6));
        return Collections.unmodifiableMap(out);
    }

    /** As a Server-Timing header value: {@code load;dur=1.2, preprocess;dur=3.4, encode;dur=812.0, ...}. */
    public synchronized String header() {
        StringBuilder b = new StringBuilder();
        nanos.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(";dur=")
                .append(String.format(Locale.ROOT, "%.1f", v / 1e6)));
        return b.toString();
    }
}
