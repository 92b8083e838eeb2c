package dev.medsam.examples.cli;

import dev.medsam.core.StageListener;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Wall-clock time per stage of a command, in the order the stages first ran. A stage either ends at a
 * {@link #lap} (the time since the previous lap or {@link #skip}) or is one {@link #time timed} step; a stage
 * named twice adds up. A session's stages come in through {@link #listener}. Thread-safe, so that a session's
 * listener may report from any thread.
 */
final class StageTimings {

    /** A step that may throw an IOException. */
    @FunctionalInterface
    interface Step<T> {
        T run() throws IOException;
    }

    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private long last = System.nanoTime();
    private boolean paused;

    /** Ends the current stage under {@code name}. */
    synchronized void lap(String name) {
        long now = System.nanoTime();
        if (!paused) {
            nanos.merge(name, now - last, Long::sum);
        }
        last = now;
    }

    /** Starts the next stage now, discarding the time since the last lap (warm-up runs). */
    synchronized void skip() {
        last = System.nanoTime();
    }

    /** Adds {@code duration} to the stage {@code name} (unless paused); the lap clock is not touched. */
    synchronized void add(String name, Duration duration) {
        if (!paused) {
            nanos.merge(name, duration.toNanos(), Long::sum);
        }
    }

    /**
     * A listener for {@link dev.medsam.core.SegmentationSession.Builder#stageListener} that adds each session
     * stage under the name {@code names} gives it (several stages may share a name, adding up).
     */
    StageListener listener(Function<StageListener.Stage, String> names) {
        return (stage, duration) -> add(names.apply(stage), duration);
    }

    /** Runs {@code step} without recording anything it reports (warm-up runs), then starts the next stage. */
    <T> T untimed(Step<T> step) throws IOException {
        synchronized (this) {
            paused = true;
        }
        try {
            return step.run();
        } finally {
            synchronized (this) {
                paused = false;
                last = System.nanoTime();
            }
        }
    }

    /** Runs {@code step} as the stage {@code name}. */
    <T> T time(String name, Step<T> step) throws IOException {
        skip();
        T result = step.run();
        lap(name);
        return result;
    }

    /** One line per stage: "encode: 1.23 s". */
    synchronized void printSeconds(PrintWriter out) {
        nanos.forEach((k, v) -> out.println(String.format(Locale.ROOT, "%s: %.2f s", k, v / 1e9)));
    }

    /** An indented table in milliseconds, names aligned, with the total. */
    synchronized void printTable(PrintWriter out) {
        int width = nanos.keySet().stream().mapToInt(String::length).max().orElse(10);
        long total = 0;
        for (Map.Entry<String, Long> e : nanos.entrySet()) {
            total += e.getValue();
            out.println(String.format(Locale.ROOT, "  %-" + width + "s %9.1f ms", e.getKey(), e.getValue() / 1e6));
        }
        out.println(String.format(Locale.ROOT, "  %-" + width + "s %9.1f ms", "total", total / 1e6));
    }
}
