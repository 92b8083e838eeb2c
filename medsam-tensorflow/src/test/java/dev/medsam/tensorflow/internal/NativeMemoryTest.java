package dev.medsam.tensorflow.internal;

import dev.medsam.core.ImageEmbedding;
import dev.medsam.core.ModelPrompt;
import dev.medsam.core.spi.BackendOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Native memory must not grow with use: every TensorFlow tensor of a call is closed, and the decoder cache is
 * bounded. Runs the tiny model 200 times on two threads and compares the resident set size after a warm-up with
 * the one after, less what the JVM itself committed meanwhile.
 */
class NativeMemoryTest {

    @Test
    void twoHundredEncodesDoNotGrowNativeMemory() throws Exception {
        Assumptions.assumeTrue(TinyModel.statusKb("VmRSS") > 0, "needs /proc/self/status");
        try (TfBackend backend = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
             TfSamModel model = (TfSamModel) backend.load(TinyModel.architecture(), TinyModel.weights())) {
            ModelPrompt box = ModelPrompt.of(new float[0], new int[0], Optional.of(new float[] {190, 510, 380, 700}),
                    Optional.empty());
            // Two threads, the same two for warm-up and measurement: concurrent encodes, the bounded decoder cache
            // filled from both, and whatever a new thread costs once (malloc arenas, thread-local pools) paid in the
            // warm-up. The warm-up also creates executors, oneDNN primitives and allocator pools.
            ExecutorService pool = Executors.newFixedThreadPool(2);
            long before;
            long heapBefore;
            long t0;
            try {
                encodeOnBothThreads(pool, model, box, 15);
                System.gc();
                before = TinyModel.statusKb("VmRSS");
                heapBefore = javaCommittedKb();
                t0 = System.nanoTime();
                encodeOnBothThreads(pool, model, box, 100);
            } finally {
                pool.shutdownNow();
            }
            System.gc();
            long after = TinyModel.statusKb("VmRSS");
            long heapGrowth = Math.max(0, javaCommittedKb() - heapBefore);
            long nativeGrowth = after - before - heapGrowth;
            System.out.printf("native memory: VmRSS %d kB before, %d kB after 200 encodes (%+d kB, of which the Java "
                            + "heap and JVM pools committed %+d kB: native %+d kB), %.2f s per encode, decoder cache %d "
                            + "images, %d kB%n", before, after, after - before, heapGrowth, nativeGrowth,
                    (System.nanoTime() - t0) / 1e9 / 200, model.cachedImages(), model.cacheBytes() / 1024);
            // VmRSS counts the Java heap too, and each call allocates a 4 MB embedding on it: G1 may grow the heap
            // by hundreds of MB over 200 calls, which is not TensorFlow's memory (one CI run saw VmRSS +941 MB where
            // local runs saw +7 MB). So the JVM's own committed growth is taken off. A leaked input tensor alone
            // would be 12 MB per call (2.4 GB over 200 calls); allow 150 MB of noise.
            assertTrue(nativeGrowth < 150_000, "native memory grew by " + nativeGrowth + " kB over 200 encodes (VmRSS "
                    + (after - before) + " kB, JVM committed " + heapGrowth + " kB)");
            assertTrue(model.cachedImages() <= TfBackend.DEFAULT_CACHE);
        }
    }

    /** Memory the JVM itself has committed (heap, metaspace, code cache, ...), in kB. */
    private static long javaCommittedKb() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        return (mx.getHeapMemoryUsage().getCommitted() + mx.getNonHeapMemoryUsage().getCommitted()) / 1024;
    }

    /** {@code calls} encodes on each of the pool's two threads at once, with a decoder call every tenth. */
    private static void encodeOnBothThreads(ExecutorService pool, TfSamModel model, ModelPrompt box, int calls)
            throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < calls; i++) {
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
    }
}
