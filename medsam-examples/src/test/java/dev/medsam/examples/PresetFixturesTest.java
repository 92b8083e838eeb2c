package dev.medsam.examples;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.NpyHeader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The intensity presets on real files, read by the real readers: what pre_CT_MR.py gives for the MR NIfTI
 * (percentiles) and the CT npz (soft-tissue window), voxel for voxel.
 */
class PresetFixturesTest {

    @Test
    void mrNiftiThroughThePercentilePresetMatchesTheReference() throws IOException {
        LoadedImage loaded = MedicalImages.read(Fixtures.require("data/nifti/balls1_T1.nii.gz"));
        assertEquals(ImageFormat.NIFTI1, loaded.format());
        MedicalImage mr = loaded.image();
        assertArrayEquals(new int[] {80, 80, 10}, mr.dims());
        assertEquals(DataType.INT16, mr.dataType());
        assertTrue(mr.rescale().slope() != 1, "the file's scl_slope must be applied: " + mr.rescale());
        IntensityPreset preset = IntensityPreset.defaultFor(mr);
        assertEquals(IntensityPreset.percentile(), preset);
        MedicalImage out = preset.apply(mr);

        // stored in Fortran order, (x, y, z) as nibabel indexes; medsam-io's reader gives it back in C order
        Path expectedFile = Fixtures.require("fixtures/preprocess/mr_percentile_u8.npy");
        NpyHeader header = Npy.readHeader(expectedFile);
        assertTrue(header.fortranOrder(), "the fixture is expected in Fortran order");
        NpyArray expected = Npy.read(expectedFile);
        assertArrayEquals(new int[] {80, 80, 10}, expected.shape());
        assertEquals(0, mismatches(expected, out), "voxels differing from pre_CT_MR.py");
    }

    @Test
    void ctNpzThroughTheSoftTissueWindowMatchesTheReference() throws IOException {
        LoadedImage loaded = MedicalImages.read(Fixtures.require("data/derived/ct_3slice_liver_medsam_style.npz"));
        MedicalImage ct = loaded.image();
        assertArrayEquals(new int[] {512, 512, 3}, ct.dims());
        MedicalImage out = IntensityPreset.ctWindow("soft-tissue").apply(ct);
        NpyArray expected = Npy.read(Fixtures.require("fixtures/preprocess/ct_window_40_400_u8.npy"));
        assertArrayEquals(new int[] {3, 512, 512}, expected.shape()); // (z, y, x)
        byte[] e = ParityFixtures.bytes(expected);
        byte[] a = new byte[out.data().remaining()];
        out.data().get(a);
        assertArrayEquals(e, a, "the (z, y, x) array is the image's own layout");
    }

    /** Voxels where the (x, y, z)-indexed array differs from the image. */
    private static int mismatches(NpyArray xyz, MedicalImage image) {
        int nx = image.dim(0);
        int ny = image.dim(1);
        int nz = image.dim(2);
        int bad = 0;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    if (xyz.get(x, y, z) != image.get(image.index(x, y, z, 0))) {
                        bad++;
                    }
                }
            }
        }
        return bad;
    }
}
