package dev.medsam.spark.internal;

import dev.medsam.core.SegmentationSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One model per executor JVM: the first task that needs a checkpoint with given settings loads it, every later
 * task of that JVM (concurrent ones included) shares it. This is a static holder on purpose: Spark serialises task
 * closures, and a model (hundreds of MB of native tensors) must never travel with them; only the key does.
 *
 * <p>Sessions live until the JVM exits (an executor runs one application); they are not closed at shutdown
 * because native teardown during JVM exit gains nothing. Thread-safe.
 */
public final class ModelHolder {

    /** What identifies a loaded model. */
    record Key(String checkpoint, int threads, String precision) {
    }

    private static final Map<Key, SegmentationSession> SESSIONS = new ConcurrentHashMap<>();

    private ModelHolder() {
    }

    /**
     * The JVM's session for these settings, loading it on first use (once, even when tasks ask at the same time).
     *
     * @throws IOException if the checkpoint cannot be read or is not a SAM model (then the next task tries again)
     */
    public static SegmentationSession session(JobSettings settings) throws IOException {
        Key key = new Key(settings.checkpoint(), settings.threads(), settings.precision());
        try {
            return SESSIONS.computeIfAbsent(key, k -> {
                try {
                    return SegmentationSession.builder(Path.of(k.checkpoint())).threads(k.threads())
                            .backendOption("precision", k.precision()).build();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** How many models this JVM holds (for tests). */
    static int loadedCount() {
        return SESSIONS.size();
    }
}
