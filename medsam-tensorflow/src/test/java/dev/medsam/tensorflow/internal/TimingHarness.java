package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A quick timing harness for the ViT-B model (not a test; the JMH benchmarks live in benchmarks/). Run with the
 * test class path: {@code java -cp ... dev.medsam.tensorflow.internal.TimingHarness [encodes] [precision] [intra] [inter]}.
 */
public final class TimingHarness {

    public static void main(String[] args) throws Exception {
        int encodes = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String precision = args.length > 1 ? args[1] : "fp32";
        int intra = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int inter = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        long t = System.nanoTime();
        StateDict weights = dev.medsam.core.testing.FormulaWeights.vitB();
        System.out.printf("formula weights built in %.1f s, RSS %s%n", secs(t), rss());
        BackendOptions options = BackendOptions.builder().intraOpThreads(intra).interOpThreads(inter)
                .extra("precision", precision).build();
        t = System.nanoTime();
        try (TfBackend backend = TfBackend.open("tensorflow", options)) {
            System.out.printf("backend open %.2f s%n", secs(t));
            t = System.nanoTime();
            try (TfSamModel model = (TfSamModel) backend.load(SamArchitecture.VIT_B, weights);
                 Calibration calibration = new Calibration(intra)) {
                System.out.printf("graph build + upload: %.2f s, RSS %s%n", secs(t), rss());
                FixtureArray a = FixtureArray.read(Fixtures.samParity("tiny/input.npy"));
                ImageTensor image = new ImageTensor(FloatTensor.of(a.shape(), a.floats()));
                ImageEmbedding emb = null;
                for (int i = 0; i < encodes; i++) {
                    double before = calibration.gflops();
                    t = System.nanoTime();
                    long c = cpu();
                    emb = model.imageEncoder().encode(image);
                    double wall = secs(t);
                    double after = calibration.gflops();
                    System.out.printf("encode %d: %.3f s wall, %.3f s cpu, RSS %s; reference matmul %.0f / %.0f GFLOP/s before/after%n",
                            i, wall, (cpu() - c) / 1e9, rss(), before, after);
                }
                Profiler.graph = model.graph();
                if (System.getProperty("profile") != null) {
                    SamGraph g = model.samGraph();
                    try (var in = TensorIo.floats(image.tensor())) {
                        Profiler.profile("encoder", model.session().runner().feed(g.image, in).fetch(g.embedding),
                                TimingHarness::encoderGroup);
                    }
                }
                if (emb != null) {
                    ImageEmbedding e = emb;
                    float[] ref = FixtureArray.read(Fixtures.samParity("vitb-formula/image_embeddings.npy")).floats();
                    System.out.printf("embedding max|err| vs fixture: %.3g%n",
                            dev.medsam.core.testing.Tolerance.maxAbsDiff(ref, emb.tensor().toArray()));
                    ModelPrompt box = ModelPrompt.builder().box(new float[] {190, 510, 380, 700}).build();
                    List<ModelPrompt> eight = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        eight.add(ModelPrompt.builder().box(new float[] {190 + 20 * i, 510, 380 + 20 * i, 700}).build());
                    }
                    if (System.getProperty("profile") != null) {
                        SamGraph g = model.samGraph();
                        List<ModelPrompt> one = List.of(box);
                        for (List<ModelPrompt> batch : List.of(one, eight)) {
                            PromptBatch pb = PromptBatch.of(batch);
                            DecoderCache.Entry entry = model.cacheEntryForHarness(e);
                            try (var coords = TensorIo.floats(pb.coords(), pb.batch(), pb.entries(), 2);
                                 var codes = TensorIo.ints(pb.codes(), pb.batch(), pb.entries())) {
                                for (int k = 0; k < 3; k++) {
                                    Profiler.profile("decoder B=" + batch.size(), model.session().runner().feed(g.prompt.coords, coords)
                                            .feed(g.prompt.codes, codes).feed(g.cachedSrc, entry.src).feed(g.cachedK0, entry.k0)
                                            .feed(g.cachedV0, entry.v0).feed(g.cachedQ0, entry.q0)
                                            .fetch(g.predictNoMask.logitsSingle()).fetch(g.predictNoMask.iouSingle()),
                                            n -> n.split("/").length > 2 ? n.split("/")[1] + "/" + n.split("/")[2] : n);
                                }
                            }
                        }
                    }
                    timeDecoder("predict 1 box", () -> model.predict(e, List.of(box), false), 30);
                    timeDecoder("predict 8 boxes", () -> model.predict(e, eight, false), 10);
                    timeDecoder("predict 1 box multimask", () -> model.predict(e, List.of(box), true), 10);
                }
            }
        }
        System.out.printf("peak RSS %s%n", peak());
    }

    static String encoderGroup(String node) {
        String[] p = node.split("/");
        if (p.length > 2 && p[1].startsWith("block")) {
            // block kind + layer part
            return (p[1].equals("block2") || p[1].equals("block5") || p[1].equals("block8") || p[1].equals("block11") ? "global/" : "window/")
                    + (p.length > 3 && p[2].equals("attn") ? "attn/" + (p[3].startsWith("chunk") ? (p.length > 4 ? p[4] : "") : p[3]) : p[2]);
        }
        return p.length > 1 ? p[0] + "/" + p[1] : node;
    }

    private static void timeDecoder(String what, Runnable r, int n) {
        for (int i = 0; i < 3; i++) {
            r.run();
        }
        double[] ms = new double[n];
        long c = cpu();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        double cpuMs = (cpu() - c) / 1e6 / n;
        Arrays.sort(ms);
        System.out.printf("%s: median %.1f ms, min %.1f ms, max %.1f ms, cpu %.1f ms per call%n", what, ms[n / 2], ms[0],
                ms[n - 1], cpuMs);
    }

    /** A 4096x768x3072 float32 matmul, to tell how busy the machine is while measuring. */
    static final class Calibration implements AutoCloseable {
        private final org.tensorflow.Graph g = new org.tensorflow.Graph();
        private final org.tensorflow.Session s;
        private final org.tensorflow.Operand<org.tensorflow.types.TFloat32> out;

        Calibration(int threads) {
            var tf = org.tensorflow.op.Ops.create(g);
            var x = tf.fill(tf.constant(new int[] {4096, 768}), tf.constant(0.5f));
            var w = tf.fill(tf.constant(new int[] {768, 3072}), tf.constant(0.25f));
            var v = tf.variable(w);
            out = tf.math.mean(tf.linalg.matMul(tf.variable(x), v), tf.constant(new int[] {0, 1}));
            s = new org.tensorflow.Session(g, org.tensorflow.proto.ConfigProto.newBuilder()
                    .setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(1).build());
            s.initialize();
        }

        double gflops() {
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                s.runner().fetch(out).run().close();
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
            }
            return 2.0 * 4096 * 768 * 3072 / best / 1e9;
        }

        @Override
        public void close() {
            s.close();
            g.close();
        }
    }

    static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static String rss() throws Exception {
        return status("VmRSS");
    }

    static String peak() throws Exception {
        return status("VmHWM");
    }

    static String status(String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return line.substring(key.length() + 1).trim();
            }
        }
        return "?";
    }
}
