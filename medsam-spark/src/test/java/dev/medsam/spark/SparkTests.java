package dev.medsam.spark;

import dev.medsam.core.SegmentationSession;
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

/** Shared pieces of the Spark tests: one local[2] session per JVM, the bundled tiny checkpoint, challenge cases. */
final class SparkTests {

    private static SparkSession spark;
    private static Path tiny;

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
     * the shared CT) and a third case, the 2D one with two boxes. Returns {images, gts}.
     */
    static Path[] challengeFolder(Path root) throws IOException {
        ChallengeFolder f = ChallengeFolder.sharedCt(root);
        // a second 2D case with two boxes, so that a partition holds more than one case
        f.write("2DBox_CT_two.npz", Npz.read(f.images.resolve("2DBox_CT_slice.npz"), "imgs"),
                new double[][] {{80, 146, 349, 365}, {300, 300, 400, 420}},
                Npz.read(f.gts.resolve("2DBox_CT_slice.npz"), "gts"), null);
        return new Path[] {f.images, f.gts};
    }

    /** What {@code medsam eval} makes of a challenge folder with the tiny checkpoint: the batch job's reference. */
    static EvaluationReport evaluate(Path images, Path gts, Path out) throws IOException {
        try (SegmentationSession session = SegmentationSession.builder(tinyCheckpoint()).build()) {
            return ChallengeEvaluation.builder(images, gts, out).build().run(session);
        }
    }
}
