package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEmbeddings;
import dev.medsam.core.spi.SamModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecycleTest {

    private static final ModelPrompt BOX = ModelPrompt.builder().box(new float[] {190, 510, 380, 700}).build();

    private static TfBackend open() {
        return TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
    }

    @Test
    void everyCallAfterCloseIsAnIllegalStateException() {
        try (TfBackend backend = open()) {
            SamModel model = backend.load(TinyModel.architecture(), TinyModel.weights());
            assertEquals(1, backend.openModels());
            ImageEmbedding e = model.imageEncoder().encode(TinyModel.input());
            PromptEmbeddings pe = model.promptEncoder().encode(List.of(BOX));
            model.close();
            assertEquals(0, backend.openModels(), "a closed model is forgotten by its backend");
            assertDoesNotThrow(model::close, "close is idempotent");
            IllegalStateException ex = assertThrows(IllegalStateException.class,
                    () -> model.imageEncoder().encode(TinyModel.input()));
            assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
            assertThrows(IllegalStateException.class, () -> model.promptEncoder().encode(List.of(BOX)));
            assertThrows(IllegalStateException.class, () -> model.promptEncoder().densePositionalEncoding());
            assertThrows(IllegalStateException.class, () -> model.maskDecoder().decode(e, pe, false));
            assertThrows(IllegalStateException.class, () -> model.predict(e, List.of(BOX), false));
        }
    }

    @Test
    void closingTheBackendClosesItsModelsAndRefusesNewOnes() {
        TfBackend backend = open();
        SamModel model = backend.load(TinyModel.architecture(), TinyModel.weights());
        backend.close();
        assertDoesNotThrow(backend::close, "close is idempotent");
        assertThrows(IllegalStateException.class, () -> model.promptEncoder().encode(List.of(BOX)));
        assertThrows(IllegalStateException.class, () -> backend.load(TinyModel.architecture(), TinyModel.weights()));
        assertDoesNotThrow(model::close);
    }

    @Test
    void closeWaitsForCallsInFlight() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (TfBackend backend = open()) {
            TfSamModel model = (TfSamModel) backend.load(TinyModel.architecture(), TinyModel.weights());
            var input = TinyModel.input();
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
            assertThrows(IllegalStateException.class, () -> model.predict(
                    ImageEmbedding.of(TinyParityTest.fixture("tiny/image_embeddings.npy")), List.of(BOX), false));
        } finally {
            pool.shutdownNow();
        }
    }
}
