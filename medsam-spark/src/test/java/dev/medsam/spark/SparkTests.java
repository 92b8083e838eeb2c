package dev.medsam.spark;

import dev.medsam.core.SegmentationSession;
import dev.medsam.core.testing.TempFolders;
import dev.medsam.examples.eval.ChallengeEvaluation;
import dev.medsam.examples.eval.ChallengeFolder;
import dev.medsam.examples.eval.EvaluationReport;
import dev.medsam.io.numpy.Npz;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Shared pieces of the Spark tests: one local[2] session per JVM, the bundled tiny checkpoint, challenge cases and
 * what {@code medsam eval} makes of them. The cases and eval's answer are built once per JVM (in a folder deleted at
 * exit) and never changed; tests get copies of the cases.
 */
final class SparkTests {

    private static SparkSession spark;
    private static Path tiny;
    /** The cases of {@link #challengeFolder}, built once: {images, gts}. */
    private static Path[] cases;
    private static Evaluated evaluated;

    private SparkTests() {
    }

    /** A local[2] session shared by the test classes (Spark allows one active context per JVM). */
    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("medsam-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            Runtime.getRuntime().addShutdownHook(new Thread(spark::stop));
        }
        return spark;
    }

    /** The tiny checkpoint bundled with the examples (copied out of the jar once). */
    static synchronized Path tinyCheckpoint() {
        if (tiny == null) {
            try (InputStream in = SparkTests.class.getResourceAsStream("/dev/medsam/examples/demo/tiny_sam.pth")) {
                if (in == null) {
                    throw new IllegalStateException("tiny_sam.pth is not on the class path (medsam-examples resources)");
                }
                Path dir = Files.createTempDirectory("medsam-spark-test");
                dir.toFile().deleteOnExit();
                tiny = dir.resolve("tiny_sam.pth");
                Files.copy(in, tiny, StandardCopyOption.REPLACE_EXISTING);
                tiny.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tiny;
    }

    /**
     * The challenge folder {@code medsam eval}'s tests run on ({@link ChallengeFolder#sharedCt}: a 3D and a 2D case of
     * the shared CT) and a third case, the 2D one with two boxes, copied into {@code root/imgs} and {@code root/gts}
     * for the test to use and change as it likes. Returns {images, gts}.
     *
     * <p>The cases are built once per JVM (reading the shared CT and writing five compressed npz files took 0.3 to
     * 0.8 s on a loaded machine, for each of the six tests that need them); copying them is a few milliseconds.
     */
    static Path[] challengeFolder(Path root) throws IOException {
        Path[] source = cases();
        Path[] copy = {root.resolve("imgs"), root.resolve("gts")};
        for (int i = 0; i < 2; i++) {
            Files.createDirectories(copy[i]);
            try (Stream<Path> files = Files.list(source[i])) {
                for (Path f : files.toList()) {
                    Files.copy(f, copy[i].resolve(f.getFileName().toString()));
                }
            }
        }
        return copy;
    }

    /** The cases of {@link #challengeFolder}, built on first use (skipping the test when the shared fixtures are absent). */
    private static synchronized Path[] cases() throws IOException {
        if (cases == null) {
            Path dir = jvmTempDir("medsam-spark-cases");
            ChallengeFolder f = ChallengeFolder.sharedCt(dir);
            // a second 2D case with two boxes, so that a partition holds more than one case
            f.write("2DBox_CT_two.npz", Npz.read(f.images.resolve("2DBox_CT_slice.npz"), "imgs"),
                    new double[][] {{80, 146, 349, 365}, {300, 300, 400, 420}},
                    Npz.read(f.gts.resolve("2DBox_CT_slice.npz"), "gts"), null);
            cases = new Path[] {f.images, f.gts};
        }
        return cases.clone();
    }

    /**
     * What {@code medsam eval} makes of the {@link #challengeFolder} cases with the tiny checkpoint: its report and the
     * folder of its segmentations, the batch job's reference. Computed once per JVM, on its own session, apart from
     * the models the batch jobs load (a second evaluation of the same cases would give the same answer; it took 9 s
     * on a loaded machine). Nothing may write to {@code out}.
     */
    record Evaluated(EvaluationReport report, Path out) {
        Evaluated {
            Objects.requireNonNull(report, "report");
            Objects.requireNonNull(out, "out");
        }
    }

    /** See {@link Evaluated}; computed on first use. */
    static synchronized Evaluated evaluated() throws IOException {
        if (evaluated == null) {
            Path[] f = cases();
            Path out = jvmTempDir("medsam-spark-eval").resolve("eval");
            evaluated = new Evaluated(evaluate(f[0], f[1], out), out);
        }
        return evaluated;
    }

    /** A new temporary folder that is deleted, with everything in it, when the JVM exits. */
    private static Path jvmTempDir(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                TempFolders.deleteTree(dir);
            } catch (IOException e) {
                System.err.println("could not delete " + dir + ": " + e); // a leftover temp folder fails no test
            }
        }));
        return dir;
    }

    /** What {@code medsam eval} makes of a challenge folder with the tiny checkpoint. */
    private static EvaluationReport evaluate(Path images, Path gts, Path out) throws IOException {
        try (SegmentationSession session = SegmentationSession.builder(tinyCheckpoint()).build()) {
            return ChallengeEvaluation.builder(images, gts, out).build().run(session);
        }
    }
}
