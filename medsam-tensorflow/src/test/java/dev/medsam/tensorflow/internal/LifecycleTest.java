package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.TinyCheckpoint;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TensorFlow backend's own view of the lifecycle, beyond the conformance suite's
 * ({@code TensorFlowConformanceTest.Lifecycle}): the backend's count of open models, and close() waiting for a call
 * seen in flight through the model's call guard (deterministic, where the suite can only time it).
 */
class LifecycleTest {

    private static final ModelPrompt BOX = ModelPrompt.builder().box(new float[] {190, 510, 380, 700}).build();

    private static TfBackend open() {
        return TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
    }

    @Test
    void aClosedModelIsForgottenByItsBackend() {
        try (TfBackend backend = open()) {
            SamModel a = backend.load(TinyModel.architecture(), TinyModel.weights());
            SamModel b = backend.load(TinyModel.architecture(), TinyModel.weights());
            assertEquals(2, backend.openModels());
            a.close();
            assertEquals(1, backend.openModels(), "a closed model is forgotten by its backend");
            a.close();
            assertEquals(1, backend.openModels(), "closing twice forgets it once");
            b.close();
            assertEquals(0, backend.openModels());
        }
    }

    @Test
    void closeWaitsForTheCallItSeesInFlight() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (TfBackend backend = open()) {
            TfSamModel model = (TfSamModel) backend.load(TinyModel.architecture(), TinyModel.weights());
            ImageTensor input = TinyCheckpoint.syntheticInput(8);
            CountDownLatch started = new CountDownLatch(1);
            Future<Long> encoded = pool.submit(() -> {
                started.countDown();
                ImageEmbedding e = model.imageEncoder().encode(input);
                long done = System.nanoTime();
                assertEquals(256 * 64 * 64, e.tensor().size());
                return done;
            });
            started.await();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (model.callsInFlight() == 0 && !encoded.isDone() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, model.callsInFlight(), "the encoder call should be in flight");
            model.close();
            long closed = System.nanoTime();
            long done = encoded.get(60, TimeUnit.SECONDS); // the call in flight finished normally
            assertTrue(done <= closed, "close() returned before the encoder call in flight had finished");
            assertEquals(0, model.callsInFlight());
            assertThrows(IllegalStateException.class, () -> model.promptEncoder().encode(List.of(BOX)));
        } finally {
            pool.shutdownNow();
        }
    }
}
