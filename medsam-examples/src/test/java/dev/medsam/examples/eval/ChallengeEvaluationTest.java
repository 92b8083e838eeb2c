package dev.medsam.examples.eval;

import dev.medsam.core.SegmentationSession;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.FakeSamModel;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluation's plumbing (layout, 2D/3D dispatch, segs files, CSV, summary) with a fake model whose masks are
 * its boxes, so every number can be recomputed here from the files it wrote.
 */
class ChallengeEvaluationTest {

    @TempDir
    Path dir;

    static final int D = 6;
    static final int H = 40;
    static final int W = 48;

    /** 3D: two cuboids, label 1 at x 5..20, y 5..15, z 1..4 and label 2 at x 25..40, y 20..35, z 2..5. */
    static void volumeCase(ChallengeFolder f, String name) throws IOException {
        byte[] img = new byte[D * H * W];
        byte[] gt = new byte[D * H * W];
        cuboid(img, gt, 5, 5, 1, 20, 15, 4, 1);
        cuboid(img, gt, 25, 20, 2, 40, 35, 5, 2);
        f.write(name, NpyArray.ofBytes(img, D, H, W), new double[][] {{5, 5, 1, 20, 15, 4}, {25, 20, 2, 40, 35, 5}},
                NpyArray.ofBytes(gt, D, H, W), new double[] {2.5, 0.8, 0.7});
    }

    static void cuboid(byte[] img, byte[] gt, int x0, int y0, int z0, int x1, int y1, int z1, int label) {
        for (int z = z0; z <= z1; z++) {
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    img[(z * H + y) * W + x] = (byte) 200;
                    gt[(z * H + y) * W + x] = (byte) label;
                }
            }
        }
    }

    /** 2D RGB 30x50 with two overlapping rectangles: label 1 x 5..30, y 4..20; label 2 x 20..45, y 10..26. */
    static void imageCase(ChallengeFolder f, String name) throws IOException {
        int h = 30;
        int w = 50;
        byte[] rgb = new byte[h * w * 3];
        byte[] gt = new byte[h * w];
        int[][] rects = {{5, 4, 30, 20}, {20, 10, 45, 26}};
        for (int i = 0; i < 2; i++) {
            int[] r = rects[i];
            for (int y = r[1]; y <= r[3]; y++) {
                for (int x = r[0]; x <= r[2]; x++) {
                    gt[y * w + x] = (byte) (i + 1);
                    for (int c = 0; c < 3; c++) {
                        rgb[(y * w + x) * 3 + c] = (byte) (100 + 50 * i + c);
                    }
                }
            }
        }
        f.write(name, NpyArray.ofBytes(rgb, h, w, 3), new double[][] {{5, 4, 30, 20}, {20, 10, 45, 26}},
                NpyArray.ofBytes(gt, h, w), null);
    }

    @Test
    void segmentsScoresAndWritesEveryCase() throws IOException {
        ChallengeFolder f = new ChallengeFolder(dir);
        volumeCase(f, "3DBox_MR_cubes.npz");
        imageCase(f, "2DBox_XRay_rects.npz");
        Path out = dir.resolve("out");
        FakeSamModel model = new FakeSamModel();
        List<String> events = new ArrayList<>();
        EvaluationReport report;
        try (SegmentationSession session = SegmentationSession.of(model)) {
            report = ChallengeEvaluation.builder(f.images, f.gts, out).listener(new ChallengeEvaluation.Listener() {
                @Override
                public void caseStarted(int index, int total, String name) {
                    events.add("start " + index + "/" + total + " " + name);
                }

                @Override
                public void caseDone(int index, int total, CaseResult result) {
                    events.add("done " + index + "/" + total + " " + result.name());
                }
            }).build().run(session);
        }
        assertEquals(List.of("start 0/2 2DBox_XRay_rects.npz", "done 0/2 2DBox_XRay_rects.npz",
                "start 1/2 3DBox_MR_cubes.npz", "done 1/2 3DBox_MR_cubes.npz"), events);
        // one encode for the 2D image; one per slice 1..5 of the 3D case, although slice 2 is visited twice
        // (upwards for the second box, downwards for the first) and 2..4 serve both boxes
        assertEquals(1 + 5, model.encodes.get());

        NpyArray segs3d = Npz.read(out.resolve("3DBox_MR_cubes.npz"), "segs");
        NpyArray gts3d = Npz.read(f.gts.resolve("3DBox_MR_cubes.npz"), "gts");
        assertArrayEquals(new int[] {D, H, W}, segs3d.shape());
        assertEquals(DataType.UINT8, segs3d.dtype().toDataType());
        NpyArray segs2d = Npz.read(out.resolve("2DBox_XRay_rects.npz"), "segs");
        NpyArray gts2d = Npz.read(f.gts.resolve("2DBox_XRay_rects.npz"), "gts");
        assertArrayEquals(new int[] {30, 50}, segs2d.shape());
        // later boxes overwrite earlier ones: the overlap (x 20..30, y 10..20) is label 2
        assertEquals(2.0, segs2d.get(15, 25));
        assertEquals(1.0, segs2d.get(6, 8));

        List<String> lines = Files.readAllLines(report.csv());
        assertEquals("case,dsc,nsd,pred_voxels,gt_voxels,pred_volume_ml,gt_volume_ml,seconds", lines.get(0));
        assertEquals(3, lines.size());
        String[] row2d = lines.get(1).split(",", -1);
        String[] row3d = lines.get(2).split(",", -1);
        assertEquals("2DBox_XRay_rects.npz", row2d[0]);
        assertEquals("3DBox_MR_cubes.npz", row3d[0]);
        assertEquals(fixed(meanDice(gts2d, segs2d)), row2d[1]);
        assertEquals(fixed(meanDice(gts3d, segs3d)), row3d[1]);
        assertEquals(Long.toString(nonZero(segs3d)), row3d[3]);
        assertEquals(Long.toString(nonZero(gts3d)), row3d[4]);
        assertEquals(String.format(Locale.ROOT, "%.4f", nonZero(gts3d) * 0.7 * 0.8 * 2.5 / 1000), row3d[6]);
        assertEquals("", row2d[5]); // no volume for 2D cases
        assertTrue(Double.parseDouble(row3d[2]) > 0.5, lines.get(2)); // NSD: box masks hug the cuboids
        assertTrue(Double.parseDouble(row3d[7]) >= 0);

        CaseResult r3 = report.cases().get(1);
        assertTrue(r3.volume());
        assertEquals(2, r3.objects());
        assertFalse(report.cases().get(0).volume());
        String table = report.table();
        assertTrue(table.contains("DSC mean") && table.contains("all") && table.contains("3D") && table.contains("2D"),
                table);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("2DBox_XRay_rects.npz", "3DBox_MR_cubes.npz", "metrics.csv"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left");
        }
    }

    @Test
    void presetsFollowTheDataAndTheCaseName() {
        ChallengeEvaluation e = ChallengeEvaluation.builder(dir, dir, dir).build();
        MedicalImage u8 = MedicalImage.builder(DataType.UINT8, 2, 2, 2).data(java.nio.ByteBuffer.allocate(8)).build();
        MedicalImage i16 = MedicalImage.builder(DataType.INT16, 2, 2, 2).data(java.nio.ByteBuffer.allocate(16)).build();
        assertEquals(IntensityPreset.asIs(), e.presetFor("3DBox_CT_1.npz", u8));
        assertEquals("soft-tissue", e.presetFor("3DBox_CT_1.npz", i16).name());
        assertEquals("soft-tissue", e.presetFor("ct-liver.npz", i16).name());
        assertEquals(IntensityPreset.percentile(), e.presetFor("3DBox_MR_1.npz", i16));
        assertEquals(IntensityPreset.percentile(), e.presetFor("3DBox_OCT_1.npz", i16)); // "OCT" is not "CT"
        ChallengeEvaluation lung = ChallengeEvaluation.builder(dir, dir, dir).preset(IntensityPreset.ctWindow("lung")).build();
        assertEquals("lung", lung.presetFor("3DBox_MR_1.npz", i16).name());
    }

    @Test
    void badFoldersAndCasesAreNamed() throws IOException {
        ChallengeFolder f = new ChallengeFolder(dir);
        Path out = dir.resolve("out");
        try (SegmentationSession session = SegmentationSession.of(new FakeSamModel())) {
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                    () -> ChallengeEvaluation.builder(f.images, f.gts, out).build().run(session));
            assertTrue(empty.getMessage().contains("no .npz cases"), empty.getMessage());

            volumeCase(f, "3DBox_MR_a.npz");
            Files.delete(f.gts.resolve("3DBox_MR_a.npz"));
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> ChallengeEvaluation.builder(f.images, f.gts, out).build().run(session));
            assertTrue(missing.getMessage().contains("3DBox_MR_a.npz"), missing.getMessage());
            assertFalse(Files.exists(out), "nothing is written before the inputs are checked");

            Files.delete(f.images.resolve("3DBox_MR_a.npz"));
            byte[] img = new byte[D * H * W];
            f.write("3DBox_MR_b.npz", NpyArray.ofBytes(img, D, H, W), new double[][] {{5, 5, 1, 20, 15, 9}},
                    NpyArray.ofBytes(img, D, H, W), null);
            MalformedImageException deep = assertThrows(MalformedImageException.class,
                    () -> ChallengeEvaluation.builder(f.images, f.gts, out).build().run(session));
            assertTrue(deep.getMessage().contains("3DBox_MR_b.npz") && deep.getMessage().contains("object 1")
                    && deep.getMessage().contains("1..9"), deep.getMessage());

            Files.delete(f.images.resolve("3DBox_MR_b.npz"));
            f.write("3DBox_MR_c.npz", NpyArray.ofBytes(img, D, H, W), new double[][] {{5, 5, 20, 15}},
                    NpyArray.ofBytes(img, D, H, W), null);
            MalformedImageException columns = assertThrows(MalformedImageException.class,
                    () -> ChallengeEvaluation.builder(f.images, f.gts, out).build().run(session));
            assertTrue(columns.getMessage().contains("(N, 6)"), columns.getMessage());

            Files.delete(f.images.resolve("3DBox_MR_c.npz"));
            f.write("3DBox_MR_d.npz", NpyArray.ofBytes(img, D, H, W), new double[][] {{5, 5, 1, 20, 15, 3}},
                    NpyArray.ofBytes(new byte[D * H * (W - 1)], D, H, W - 1), null);
            MalformedImageException shape = assertThrows(MalformedImageException.class,
                    () -> ChallengeEvaluation.builder(f.images, f.gts, out).build().run(session));
            assertTrue(shape.getMessage().contains("'gts' has shape [6, 40, 47]"), shape.getMessage());
        }
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Mean Dice over labels 1..max(gt), counted directly from the arrays. */
    private static double meanDice(NpyArray gt, NpyArray seg) {
        double[] g = gt.toDoubleArray();
        double[] s = seg.toDoubleArray();
        int max = (int) Arrays.stream(g).max().orElse(0);
        double sum = 0;
        for (int label = 1; label <= max; label++) {
            long a = 0;
            long b = 0;
            long both = 0;
            for (int i = 0; i < g.length; i++) {
                a += g[i] == label ? 1 : 0;
                b += s[i] == label ? 1 : 0;
                both += g[i] == label && s[i] == label ? 1 : 0;
            }
            sum += 2.0 * both / (a + b);
        }
        return sum / max;
    }

    private static long nonZero(NpyArray a) {
        return Arrays.stream(a.toDoubleArray()).filter(v -> v != 0).count();
    }
}
