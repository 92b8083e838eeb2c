package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.TempFolder;
import dev.medsam.core.SegmentationSession;
import dev.medsam.examples.eval.ChallengeEvaluation;
import dev.medsam.examples.eval.EvaluationReport;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import dev.medsam.spark.BatchJob;
import dev.medsam.spark.BatchReport;
import dev.medsam.spark.CaseRow;
import org.apache.spark.sql.SparkSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code cases} 2D challenge cases (512x512 RGB, one box each, with ground truth) segmented and scored with the
 * bundled tiny checkpoint: {@code eval} runs them as {@code medsam eval} does (one session, one case after another),
 * {@code batch} as {@code medsam batch} does in local[2] (tasks sharing the JVM's model; {@code threads} its intra-op
 * threads, 0 for the job's default). One operation is the
 * whole folder, into a fresh output folder (so the batch job reuses nothing); cases per minute =
 * {@code cases * 60000 / ms}. Both keep their model loaded between operations (the batch job's per-JVM holder, eval's
 * session from the set-up), so the difference is the job's own overhead: scheduling, serialising case descriptions
 * and result rows, completion markers, the Parquet results table.
 *
 * <p>Needs medsam-spark and Spark on the class path, which benchmarks.jar does not hold: run with
 * {@code benchmarks.jar}, {@code medsam-spark-*.jar} and {@code medsam-spark/target/lib/*} on the class path and
 * {@code org.openjdk.jmh.Main} as the main class (the command is in benchmarks/README.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {Jvm.HEAP, "-XX:+IgnoreUnrecognizedVMOptions",
    "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
    "--add-opens=java.base/sun.security.action=ALL-UNNAMED", "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
    "-Djdk.reflect.useDirectMethodHandle=false", "-Dio.netty.tryReflectionSetAccessible=true"})
public class BatchBenchmark {

    @Param({"8", "32"})
    public int cases;

    /** The batch job's intra-op threads (0: its default, the executor's cores); a state of its own so eval runs once. */
    @State(Scope.Benchmark)
    public static class BatchThreads {
        @Param({"0", "1"})
        public int threads;
    }

    private TempFolder tmp;
    private Path images;
    private Path gts;
    private Path checkpoint;
    private SegmentationSession session;
    private SparkSession spark;
    private int run;

    @Setup
    public void setUp() throws IOException {
        tmp = TempFolder.create("medsam-batch-bench");
        images = Files.createDirectories(tmp.resolve("imgs"));
        gts = Files.createDirectories(tmp.resolve("gts"));
        checkpoint = tmp.resolve("tiny_sam.pth");
        try (InputStream in = BatchBenchmark.class.getResourceAsStream("/dev/medsam/examples/demo/tiny_sam.pth")) {
            if (in == null) {
                throw new IllegalStateException("tiny_sam.pth not on the class path: add medsam-spark/target/lib/*");
            }
            Files.copy(in, checkpoint);
        }
        Random random = new Random(18);
        for (int c = 0; c < cases; c++) {
            writeCase(String.format("2DBox_bench_%03d.npz", c), random);
        }
        session = SegmentationSession.builder(checkpoint).threads(2).build();
        spark = SparkSession.builder().master("local[2]").appName("BatchBenchmark")
                .config("spark.ui.enabled", "false").config("spark.log.level", "WARN").getOrCreate();
    }

    /** A bright ellipse (its size and place vary per case) on a noisy background; the box and gts around it. */
    private void writeCase(String name, Random random) throws IOException {
        int n = 512;
        double cx = 180 + random.nextInt(150);
        double cy = 180 + random.nextInt(150);
        double rx = 50 + random.nextInt(60);
        double ry = 40 + random.nextInt(60);
        byte[] rgb = new byte[n * n * 3];
        byte[] gt = new byte[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double dx = (x - cx) / rx;
                double dy = (y - cy) / ry;
                boolean inside = dx * dx + dy * dy <= 1;
                int v = Math.max(0, Math.min(255, (inside ? 170 : 60) + (int) (random.nextGaussian() * 12)));
                int i = y * n + x;
                rgb[3 * i] = (byte) v;
                rgb[3 * i + 1] = (byte) v;
                rgb[3 * i + 2] = (byte) v;
                gt[i] = (byte) (inside ? 1 : 0);
            }
        }
        Map<String, NpyArray> image = new LinkedHashMap<>();
        image.put("imgs", NpyArray.ofBytes(rgb, n, n, 3));
        image.put("boxes", NpyArray.ofDoubles(new double[] {cx - rx - 5, cy - ry - 5, cx + rx + 5, cy + ry + 5}, 1, 4));
        Npz.write(images.resolve(name), image, true);
        Npz.write(gts.resolve(name), Map.of("gts", NpyArray.ofBytes(gt, n, n)), true);
    }

    @Benchmark
    public EvaluationReport eval() throws IOException {
        EvaluationReport r = ChallengeEvaluation.builder(images, gts, tmp.resolve("eval-" + run++)).build().run(session);
        if (r.cases().size() != cases) {
            throw new IllegalStateException("eval scored " + r.cases().size() + " of " + cases + " cases");
        }
        return r;
    }

    @Benchmark
    public BatchReport batch(BatchThreads t) throws IOException {
        BatchReport r = BatchJob.challenge(images, checkpoint, tmp.resolve("batch-" + run++)).groundTruth(gts)
                .threads(t.threads).build().run(spark);
        if (r.count(CaseRow.OK) != cases) {
            throw new IllegalStateException("the batch job segmented " + r.count(CaseRow.OK) + " of " + cases
                    + " cases: " + r.rows());
        }
        // Spark routes the library's log to its WARN level; the phases go to the JMH output this way
        System.out.println("batch " + cases + " cases: " + r.timings());
        return r;
    }

    @TearDown
    public void tearDown() throws IOException {
        spark.stop();
        session.close();
        tmp.close();
    }
}
