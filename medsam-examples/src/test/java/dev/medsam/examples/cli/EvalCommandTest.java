package dev.medsam.examples.cli;

import dev.medsam.core.testing.Fixtures;
import dev.medsam.examples.eval.ChallengeFolder;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medsam eval} on a small challenge-layout folder built from the shared CT, with the tiny checkpoint. */
class EvalCommandTest {

    @TempDir
    Path dir;

    /** A 3D case (the int16 CT, liver box) and a 2D case (slice 1 windowed to 8-bit RGB, liver box). */
    private ChallengeFolder folder() throws IOException {
        return ChallengeFolder.sharedCt(dir.resolve("data"));
    }

    @Test
    void evaluatesEveryCaseWritesSegsAndTheCsvAndPrintsTheTable() throws IOException {
        ChallengeFolder f = folder();
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("eval", "--images", f.images.toString(), "--gt", f.gts.toString(), "--out", out.toString(),
                "--checkpoint", Fixtures.samParity("weights/tiny_sam.pth").toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err());
        assertTrue(r.out().contains("DSC mean") && r.out().contains("NSD med"), r.out());
        assertTrue(r.out().contains("wrote 2 segmentations and " + out.resolve("metrics.csv")), r.out());

        NpyArray segs3d = Npz.read(out.resolve("3DBox_CT_liver.npz"), "segs");
        NpyArray segs2d = Npz.read(out.resolve("2DBox_CT_slice.npz"), "segs");
        assertArrayEquals(new int[] {3, 512, 512}, segs3d.shape());
        assertArrayEquals(new int[] {512, 512}, segs2d.shape());
        for (NpyArray s : List.of(segs3d, segs2d)) {
            assertTrue(Arrays.stream(s.toDoubleArray()).allMatch(v -> v == 0 || v == 1), "labels 0/1 only");
        }

        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(3, lines.size(), lines.toString());
        String[] twoD = lines.get(1).split(",", -1);
        String[] threeD = lines.get(2).split(",", -1);
        assertEquals("2DBox_CT_slice.npz", twoD[0]);
        assertEquals("3DBox_CT_liver.npz", threeD[0]);
        long gt3d = 36233 + 35645 + 35220;
        assertEquals(Long.toString(gt3d), threeD[4]);
        assertEquals("35645", twoD[4]);
        assertEquals(Long.toString(Arrays.stream(segs3d.toDoubleArray()).filter(v -> v != 0).count()), threeD[3]);
        assertEquals(String.format(Locale.ROOT, "%.4f", gt3d * 0.810547 * 0.810547 * 1.0 / 1000), threeD[6]);
        for (String[] row : List.of(twoD, threeD)) {
            double dsc = Double.parseDouble(row[1]);
            double nsd = Double.parseDouble(row[2]);
            assertTrue(dsc >= 0 && dsc <= 1 && nsd >= 0 && nsd <= 1, String.join(",", row));
            assertTrue(Double.parseDouble(row[7]) > 0);
        }
    }

    @Test
    void usageErrorsAndMissingGroundTruth() throws IOException {
        ChallengeFolder f = folder();
        String tiny = Fixtures.samParity("weights/tiny_sam.pth").toString();
        Path out = dir.resolve("out");
        CliRun order = CliRun.of("eval", "--images", f.images.toString(), "--gt", f.gts.toString(), "--out",
                out.toString(), "-c", tiny, "--spacing-order", "zyx");
        assertEquals(2, order.exitCode(), order.toString());
        assertTrue(order.err().contains("array or xyz"), order.err());
        CliRun noDir = CliRun.of("eval", "--images", dir.resolve("nope").toString(), "--gt", f.gts.toString(), "--out",
                out.toString(), "-c", tiny);
        assertEquals(2, noDir.exitCode(), noDir.toString());
        CliRun tolerance = CliRun.of("eval", "--images", f.images.toString(), "--gt", f.gts.toString(), "--out",
                out.toString(), "-c", tiny, "--tolerance-mm", "-2");
        assertEquals(2, tolerance.exitCode(), tolerance.toString());

        Files.delete(f.gts.resolve("2DBox_CT_slice.npz"));
        CliRun missing = CliRun.of("eval", "--images", f.images.toString(), "--gt", f.gts.toString(), "--out",
                out.toString(), "-c", tiny, "-q");
        assertEquals(1, missing.exitCode(), missing.toString());
        assertTrue(missing.err().startsWith("medsam eval: no ground truth in") && missing.err().contains("2DBox_CT_slice.npz"),
                missing.err());
        assertFalse(Files.exists(out));
    }
}
