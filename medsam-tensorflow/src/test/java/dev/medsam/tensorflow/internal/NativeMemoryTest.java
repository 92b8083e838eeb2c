package dev.medsam.tensorflow.internal;

import dev.medsam.core.ImageEmbedding;
import dev.medsam.core.ModelPrompt;
import dev.medsam.core.spi.BackendOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Native memory must not grow with use: every TensorFlow tensor of a call is closed, and the decoder cache is
 * bounded. Runs the tiny model 200 times and compares the resident set size after a warm-up with the one after.
 */
class NativeMemoryTest {

    @Test
    void twoHundredEncodesDoNotGrowNativeMemory() throws Exception {
        Assumptions.assumeTrue(TinyModel.statusKb("VmRSS") > 0, "needs /proc/self/status");
        try (TfBackend backend = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
             TfSamModel model = (TfSamModel) backend.load(TinyModel.architecture(), TinyModel.weights())) {
            ModelPrompt box = ModelPrompt.of(new float[0], new int[0], Optional.of(new float[] {190, 510, 380, 700}),
                    Optional.empty());
            // warm-up: executors, oneDNN primitives, allocator pools and a full decoder cache
            for (int i = 0; i < 10; i++) {
                ImageEmbedding e = model.imageEncoder().encode(TinyModel.input());
                model.predict(e, List.of(box), false);
            }
            System.gc();
            long before = TinyModel.statusKb("VmRSS");
            long t0 = System.nanoTime();
            // two threads, 100 calls each: also exercises concurrent encodes filling the bounded decoder cache
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            ImageEmbedding e = model.imageEncoder().encode(TinyModel.input());
                            if (i % 10 == 0) {
                                model.predict(e, List.of(box), false);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            System.gc();
            long after = TinyModel.statusKb("VmRSS");
            System.out.printf("native memory: VmRSS %d kB before, %d kB after 200 encodes (%+d kB), %.2f s per encode, "
                            + "decoder cache %d images, %d kB%n", before, after, after - before,
                    (System.nanoTime() - t0) / 1e9 / 200, model.cachedImages(), model.cacheBytes() / 1024);
            // A leaked input tensor alone would be 12 MB per call (2.4 GB over 200 calls); allow 150 MB of noise.
            assertTrue(after - before < 150_000, "VmRSS grew by " + (after - before) + " kB over 200 encodes");
            assertTrue(model.cachedImages() <= TfBackend.DEFAULT_CACHE);
        }
    }
}
