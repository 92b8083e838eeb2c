package dev.medsam.spark;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.SpacingOrder;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

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
     * A challenge folder as {@code medsam eval}'s tests build it from the shared CT: a 3D case (int16, liver box) and
     * a 2D case (slice 1 windowed to 8-bit RGB, liver box), with ground truth. Returns {images, gts}.
     */
    static Path[] challengeFolder(Path root) throws IOException {
        MedSamNpz ct = MedSamNpz.read(Fixtures.require("data/derived/ct_3slice_liver_medsam_style.npz"));
        Path images = Files.createDirectories(root.resolve("imgs"));
        Path gts = Files.createDirectories(root.resolve("gts"));
        write(images, gts, "3DBox_CT_liver.npz", ct.imgs(), new double[] {79, 145, 0, 350, 366, 2}, 6,
                ct.gts().orElseThrow(), ct.spacing().orElseThrow().toDoubleArray());
        MedicalImage slice = IntensityPreset.ctWindow("soft-tissue").apply(ct.image(SpacingOrder.ARRAY_ORDER)).plane(2, 1, 0);
        byte[] rgb = new byte[512 * 512 * 3];
        byte[] gt = new byte[512 * 512];
        NpyArray labels = ct.gts().orElseThrow();
        for (int i = 0; i < 512 * 512; i++) {
            byte v = (byte) slice.get(i);
            rgb[3 * i] = v;
            rgb[3 * i + 1] = v;
            rgb[3 * i + 2] = v;
            gt[i] = (byte) labels.get(512L * 512 + i);
        }
        write(images, gts, "2DBox_CT_slice.npz", NpyArray.ofBytes(rgb, 512, 512, 3), new double[] {80, 146, 349, 365},
                4, NpyArray.ofBytes(gt, 512, 512), null);
        // a second 2D case with two boxes, so that a partition holds more than one case
        write(images, gts, "2DBox_CT_two.npz", NpyArray.ofBytes(rgb, 512, 512, 3),
                new double[] {80, 146, 349, 365, 300, 300, 400, 420}, 4, NpyArray.ofBytes(gt, 512, 512), null);
        return new Path[] {images, gts};
    }

    private static void write(Path images, Path gts, String name, NpyArray imgs, double[] boxes, int columns,
                              NpyArray labels, double[] spacing) throws IOException {
        Map<String, NpyArray> image = new LinkedHashMap<>();
        image.put("imgs", imgs);
        image.put("boxes", NpyArray.ofDoubles(boxes, boxes.length / columns, columns));
        if (spacing != null) {
            image.put("spacing", NpyArray.ofDoubles(spacing, spacing.length));
        }
        Npz.write(images.resolve(name), image, true);
        Map<String, NpyArray> gt = new LinkedHashMap<>();
        gt.put("gts", labels);
        if (spacing != null) {
            gt.put("spacing", NpyArray.ofDoubles(spacing, spacing.length));
        }
        Npz.write(gts.resolve(name), gt, true);
    }
}
