package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.checkpoint.LiteMedSamCheckpoint;
import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;
import org.tensorflow.proto.ConfigProto;

/**
 * A quick timing harness for LiteMedSAM on the fixture checkpoint (not a test and not a JMH benchmark): encoder
 * and one-box decoder times, then the one-box decoder's per-op times from TensorFlow's step statistics
 * (each node's fastest time over {@code -Dtraces} traced runs, default 20; {@code -Dtop}: how many nodes to list;
 * {@code -DprofileEncoder=true} adds the encoder's; {@code -Dprecision=bf16} loads the bfloat16 encoder;
 * {@code -DinterOp=2} sets the inter-op threads). Run with the test class path:
 * {@code java -cp ... dev.medsam.tensorflow.internal.LiteMedSamTimingHarness [encodes] [intra threads]}.
 */
public final class LiteMedSamTimingHarness {

    public static void main(String[] args) throws Exception {
        int encodes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int intra = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        LiteMedSamCheckpoint c = LiteMedSamCheckpoint.load(
                Fixtures.require("fixtures/litemedsam-parity/weights/lite_medsam_random.pth"));
        ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(intra)
                .setInterOpParallelismThreads(Integer.getInteger("interOp", 1)).build();
        FixtureArray in = FixtureArray.read(Fixtures.require("fixtures/litemedsam-parity/ct_wide/input.npy"));
        FloatTensor input = FloatTensor.wrap(in.shape(), in.floats());
        long t = System.nanoTime();
        String precision = System.getProperty("precision", "fp32");
        try (LiteMedSamTfModel model = LiteMedSamTfModel.load(c.architecture(), c.weights(), config, precision)) {
            System.out.printf("model load %.0f ms%n", (System.nanoTime() - t) / 1e6);
            FloatTensor e = model.encode(input); // warm-up: grappler and oneDNN set-up
            model.predictBoxes(e, new float[][] {{40, 30, 175, 135}});
            long best = Long.MAX_VALUE;
            long total = 0;
            for (int i = 0; i < encodes; i++) {
                long s = System.nanoTime();
                e = model.encode(input);
                long d = System.nanoTime() - s;
                best = Math.min(best, d);
                total += d;
            }
            System.out.printf("encoder: best %.0f ms, mean %.0f ms over %d%n", best / 1e6, total / 1e6 / encodes,
                    encodes);
            best = Long.MAX_VALUE;
            for (int i = 0; i < 20; i++) {
                long s = System.nanoTime();
                model.predictBoxes(e, new float[][] {{40, 30, 175, 135}});
                best = Math.min(best, System.nanoTime() - s);
            }
            System.out.printf("decoder, one box: best %.1f ms%n", best / 1e6);
            // The batched decoder graph against the one-prompt graph on the same box, alternating so that both see
            // the same machine: medians of the wall time per call.
            long[][] times = new long[2][Integer.getInteger("ab", 60)];
            float[][] abBox = {{40, 30, 175, 135}};
            for (int i = 0; i < times[0].length; i++) {
                for (int v = 0; v < 2; v++) {
                    long s = System.nanoTime();
                    model.runBoxes(e, abBox, v == 0, runner -> {
                        runner.run().close();
                        return null;
                    });
                    times[v][i] = System.nanoTime() - s;
                }
            }
            for (int v = 0; v < 2; v++) {
                java.util.Arrays.sort(times[v]);
                System.out.printf("decoder, one box, %s graph: median %.2f ms, fastest %.2f ms over %d%n",
                        v == 0 ? "batched (BatchMatMulV2)" : "one-prompt (2-D MatMul)", times[v][times[v].length / 2] / 1e6,
                        times[v][0] / 1e6, times[v].length);
            }
            // Per-op time of one box (image side cached) from TensorFlow's step statistics: each node's fastest
            // time over several traced runs (the first few runs warm up the traced path and are left out).
            Profiler.graph = model.graph();
            float[][] box = {{40, 30, 175, 135}};
            java.util.List<org.tensorflow.proto.RunMetadata> runs = new java.util.ArrayList<>();
            int traces = Integer.getInteger("traces", 20);
            for (int i = 0; i < traces + 3; i++) {
                org.tensorflow.proto.RunMetadata md = model.runBoxes(e, box, Profiler::trace);
                if (i >= 3) {
                    runs.add(md);
                }
            }
            Profiler.printFastest("decoder, one box", runs);
            if (Boolean.getBoolean("profileEncoder")) {
                runs.clear();
                try (org.tensorflow.types.TFloat32 image = TensorIo.floats(input)) {
                    for (int i = 0; i < 4; i++) {
                        org.tensorflow.proto.RunMetadata md = Profiler.trace(model.session().runner()
                                .feed(model.encoderGraph().image, image).fetch(model.encoderGraph().embedding));
                        if (i >= 1) {
                            runs.add(md);
                        }
                    }
                }
                Profiler.printFastest("encoder, " + precision, runs);
            }
        }
    }
}
