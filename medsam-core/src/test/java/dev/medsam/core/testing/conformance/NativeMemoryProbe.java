package dev.medsam.core.testing.conformance;

import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.BackendProvider;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.TinyCheckpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The measuring side of {@link NativeMemoryConformance}, run in a JVM of its own whose Java heap is fixed and
 * touched up front ({@code -Xms = -Xmx}, {@code -XX:+AlwaysPreTouch}), so that a change of the resident set size
 * is the backend's native memory, not the heap growing. Arguments: the provider name and the calls per thread.
 * Prints one line: {@code native-memory before=KB after=KB seconds-per-encode=S}.
 */
public final class NativeMemoryProbe {

    private NativeMemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: NativeMemoryProbe PROVIDER CALLS_PER_THREAD");
            System.exit(2);
        }
        int calls = Integer.parseInt(args[1]);
        BackendProvider provider = Backends.providers().stream().filter(p -> p.name().equals(args[0])).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend provider named " + args[0]));
        try (Backend backend = provider.open(BackendOptions.builder().intraOpThreads(2).build());
             SamModel model = backend.load(TinyCheckpoint.ARCHITECTURE, TinyCheckpoint.weights())) {
            List<ImageTensor> inputs = List.of(TinyCheckpoint.syntheticInput(6), TinyCheckpoint.syntheticInput(7));
            // Two threads, the same two for warm-up and measurement: concurrent encodes and any per-image decoder
            // cache filled from both; whatever a new thread costs once (malloc arenas, thread-local pools, kernel
            // primitives) is paid in the warm-up.
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                run(pool, model, inputs, 15);
                System.gc();
                long before = residentKb();
                long t0 = System.nanoTime();
                run(pool, model, inputs, calls);
                double seconds = (System.nanoTime() - t0) / 1e9 / (2 * calls);
                System.gc();
                long after = residentKb();
                System.out.printf(Locale.ROOT, "native-memory before=%d after=%d seconds-per-encode=%.3f%n",
                        before, after, seconds);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** {@code calls} encodes on each of the pool's two threads at once, with a decode every tenth call. */
    private static void run(ExecutorService pool, SamModel model, List<ImageTensor> inputs, int calls) throws Exception {
        ModelPrompt box = ModelPrompt.builder().box(BackendConformance.BOX_1024).build();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < calls; i++) {
                    ImageEmbedding e = model.imageEncoder().encode(inputs.get((thread + i) % 2));
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

    /** VmRSS of /proc/self/status in kB, or -1 where there is no /proc. */
    static long residentKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring("VmRSS:".length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
