package dev.medsam.examples.programs;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's LiteMedSAM program on the fixture cases: its segs are the reference's. */
class LiteMedSamCaseTest {

    private static final String DIR = "fixtures/litemedsam-parity/";

    @TempDir
    Path dir;

    @Test
    void threeDCaseGivesTheReferenceSegs() throws IOException {
        Path out = dir.resolve("segs.npz");
        LiteMedSamCase.main(new String[] {Fixtures.require(DIR + "weights/lite_medsam_random.pth").toString(),
            Fixtures.require(DIR + "ct_3d/case_3d.npz").toString(), out.toString()});
        NpyArray got = Npz.read(out, "segs");
        NpyArray want = Npz.read(Fixtures.require(DIR + "ct_3d/segs/case_3d.npz"), "segs");
        assertArrayEquals(want.shape(), got.shape());
        long differ = 0;
        for (long i = 0; i < want.size(); i++) {
            differ += want.get(i) != got.get(i) ? 1 : 0;
        }
        assertTrue(differ <= want.size() / 1000, differ + " voxels differ");
    }

    @Test
    void twoDCaseGivesTheReferenceSegs() throws IOException {
        MedicalImage labels = LiteMedSamCase.segment(Fixtures.require(DIR + "weights/lite_medsam_random.pth"),
                Fixtures.require(DIR + "fundus_rgb/case_2d.npz"));
        NpyArray want = Npz.read(Fixtures.require(DIR + "fundus_rgb/segs/case_2d.npz"), "segs");
        float[] prob = Npy.read(Fixtures.require(DIR + "fundus_rgb/prob.npy")).toFloatArray(); // (2, H, W)
        assertEquals(want.size(), labels.voxelCount());
        int pixels = (int) want.size();
        for (int i = 0; i < pixels; i++) {
            if (labels.get(i) != want.get(i)) {
                boolean nearHalf = Math.abs(prob[i] - 0.5f) < 1e-4 || Math.abs(prob[pixels + i] - 0.5f) < 1e-4;
                assertTrue(nearHalf, "pixel " + i + ": " + labels.get(i) + ", the reference " + want.get(i));
            }
        }
    }
}
