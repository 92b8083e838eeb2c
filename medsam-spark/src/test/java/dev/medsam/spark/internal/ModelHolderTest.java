package dev.medsam.spark.internal;

import dev.medsam.core.SegmentationSession;
import dev.medsam.spark.SparkTestAccess;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One model per JVM and settings, loaded once even when tasks ask at the same time. */
class ModelHolderTest {

    private static JobSettings settings(String checkpoint, int threads) {
        return new JobSettings(checkpoint, threads, "fp32", "/tmp", "", 2, "ARRAY_ORDER", "test");
    }

    @Test
    void tasksShareOneSessionPerCheckpointAndSettings() throws Exception {
        String tiny = SparkTestAccess.tinyCheckpoint().toString();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<SegmentationSession> a = pool.submit(() -> ModelHolder.session(settings(tiny, 1)));
            Future<SegmentationSession> b = pool.submit(() -> ModelHolder.session(settings(tiny, 1)));
            assertSame(a.get(), b.get());
        } finally {
            pool.shutdown();
        }
        assertNotSame(ModelHolder.session(settings(tiny, 1)), ModelHolder.session(settings(tiny, 3)));
        int before = ModelHolder.loadedCount();
        assertThrows(java.io.IOException.class, () -> ModelHolder.session(settings("/nonexistent/m.pth", 1)));
        assertTrue(ModelHolder.loadedCount() == before, "a failed load is not kept");
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> settings("m.pth", -1));
        assertThrows(IllegalArgumentException.class,
                () -> new JobSettings("m", 0, "fp32", "/tmp", "", Double.NaN, "ARRAY_ORDER", "x"));
    }
}
