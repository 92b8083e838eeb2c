package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ModelPrompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The measuring side of {@link NativeMemoryTest}, run in a JVM of its own whose Java heap is fixed and touched
 * up front ({@code -Xms = -Xmx}, {@code -XX:+AlwaysPreTouch}), so that a change of the resident set size is
 * TensorFlow's and the JVM's native memory, not the heap growing. Prints one line:
 * {@code native-memory before=KB after=KB cached=N seconds-per-encode=S}.
 */
public final class NativeMemoryProbe {

    static final int CALLS_PER_THREAD = 100;

    private NativeMemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (TfBackend backend = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
             TfSamModel model = (TfSamModel) backend.load(TinyModel.architecture(), TinyModel.weights())) {
            ModelPrompt box = ModelPrompt.builder().box(new float[] {190, 510, 380, 700}).build();
            // Two threads, the same two for warm-up and measurement: concurrent encodes, the bounded decoder cache
            // filled from both, and whatever a new thread costs once (malloc arenas, thread-local pools) paid in the
            // warm-up, which also creates executors, oneDNN primitives and allocator pools.
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                encodeOnBothThreads(pool, model, box, 15);
                System.gc();
                long before = TinyModel.statusKb("VmRSS");
                long t0 = System.nanoTime();
                encodeOnBothThreads(pool, model, box, CALLS_PER_THREAD);
                double seconds = (System.nanoTime() - t0) / 1e9 / (2 * CALLS_PER_THREAD);
                System.gc();
                long after = TinyModel.statusKb("VmRSS");
                System.out.printf(Locale.ROOT, "native-memory before=%d after=%d cached=%d seconds-per-encode=%.3f%n",
                        before, after, model.cachedImages(), seconds);
            } finally {
                pool.shutdownNow();
            }
        }
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
