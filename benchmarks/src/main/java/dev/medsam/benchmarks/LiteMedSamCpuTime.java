package dev.medsam.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.medsam.core.checkpoint.LiteMedSamCheckpoint;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.tensorflow.internal.LiteMedSamTfModel;
import org.tensorflow.proto.ConfigProto;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The CPU time (user + system of the whole process, from /proc/self/stat) and wall time of one LiteMedSAM encode,
 * ours (TensorFlow) against ONNX Runtime Java on the export {@link LiteMedSamBenchmark} uses, the two called
 * alternately in one process so that both see the same machine. On a machine shared with other work the wall
 * times say more about the neighbours than about the encoders; the CPU time each needs per encode is the work it
 * does, which load changes far less (caches and memory bandwidth are still shared). ONNX Runtime runs with
 * spinning off here, since spin-waiting would count as work.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.medsam.benchmarks.LiteMedSamCpuTime [encodes] [onnx file] [precision...]
 * </pre>
 *
 * With several precisions ({@code fp32 bf16}) ours runs once per precision in each round, so the bfloat16 encoder
 * is compared with float32 and ONNX Runtime under the same conditions.
 *
 * Linux only. Needs the shared fixtures (checkpoint) and the ONNX export (see benchmarks/README.md).
 */
public final class LiteMedSamCpuTime {

    private LiteMedSamCpuTime() {
    }

    public static void main(String[] args) throws IOException, OrtException {
        int encodes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        if (encodes < 1) {
            throw new IllegalArgumentException("encodes must be at least 1, got " + encodes);
        }
        Path onnx = Path.of(args.length > 1 ? args[1] : LiteMedSamBenchmark.DEFAULT_ONNX);
        Path checkpoint = Fixtures.sharedDir().resolve(LiteMedSamBenchmark.CHECKPOINT);
        for (Path p : new Path[] {onnx, checkpoint}) {
            if (!Files.isRegularFile(p)) {
                System.err.println("missing " + p.toAbsolutePath() + " (see benchmarks/README.md)");
                System.exit(1);
            }
        }
        List<String> precisions = args.length > 2 ? List.of(args).subList(2, args.length) : List.of("fp32");
        LiteMedSamCheckpoint lite = LiteMedSamCheckpoint.load(checkpoint);
        float[] values = new float[3 * 256 * 256];
        Random random = new Random(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        FloatTensor input = FloatTensor.wrap(new int[] {1, 3, 256, 256}, values);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<LiteMedSamTfModel> models = new ArrayList<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            for (String precision : precisions) {
                models.add(LiteMedSamTfModel.load(lite.architecture(), lite.weights(), ConfigProto.newBuilder()
                        .setIntraOpParallelismThreads(2).setInterOpParallelismThreads(1).build(), precision));
            }
            options.setIntraOpNumThreads(2);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            try (OrtSession session = env.createSession(onnx.toString(), options);
                 OnnxTensor image = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), new long[] {1, 3, 256, 256})) {
                for (int i = 0; i < 3; i++) { // warm-up: graph optimisation, oneDNN primitives, ONNX Runtime arenas
                    models.forEach(m -> m.encode(input));
                    session.run(Map.of("image", image)).close();
                }
                int sides = models.size() + 1; // ours per precision, then ONNX Runtime
                long[] wall = new long[sides];
                long[] cpu = new long[sides];
                for (int round = 0; round < encodes; round++) {
                    for (int side = 0; side < sides; side++) {
                        long w0 = System.nanoTime();
                        long c0 = cpuTicks();
                        if (side < models.size()) {
                            models.get(side).encode(input);
                        } else {
                            session.run(Map.of("image", image)).close();
                        }
                        cpu[side] += cpuTicks() - c0;
                        wall[side] += System.nanoTime() - w0;
                    }
                }
                double tick = 1000.0 / CLOCK_TICKS_PER_SECOND;
                List<String> names = new ArrayList<>();
                precisions.forEach(p -> names.add("TensorFlow (ours), " + p));
                names.add("ONNX Runtime " + env.getVersion() + " (spinning off)");
                for (int side = 0; side < sides; side++) {
                    System.out.printf(Locale.ROOT, "%-36s wall %6.0f ms, process CPU %6.0f ms per encode%n",
                            names.get(side), wall[side] / 1e6 / encodes, cpu[side] * tick / encodes);
                }
                int onnxSide = sides - 1;
                for (int side = 0; side < models.size(); side++) {
                    System.out.printf(Locale.ROOT, "ours (%s) / ONNX Runtime over %d alternating encodes each: wall %.2f,"
                            + " CPU %.2f%n", precisions.get(side), encodes, (double) wall[side] / wall[onnxSide],
                            (double) cpu[side] / cpu[onnxSide]);
                }
            }
        } finally {
            models.forEach(LiteMedSamTfModel::close);
        }
    }

    /** USER_HZ: the unit of /proc/self/stat's times (100 on every Linux architecture that matters here). */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    /** utime + stime of this process, in clock ticks (fields 14 and 15 of /proc/self/stat). */
    private static long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
        // the command name (field 2) may contain spaces; the fields after it start behind the last ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
