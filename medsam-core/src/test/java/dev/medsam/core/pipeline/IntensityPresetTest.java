package dev.medsam.core.pipeline;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Rescale;
import dev.medsam.core.image.Window;
import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntensityPresetTest {

    @TempDir
    Path temp;

    /** The CT fixture: int16 HU (3, 512, 512) from the npz, through the 40/400 window, on the whole volume. */
    @Test
    void ctSoftTissueWindowMatchesTheReferenceOnTheVolume() throws IOException {
        FixtureArray imgs = npzMember(Fixtures.require("data/derived/ct_3slice_liver_medsam_style.npz"), "imgs.npy");
        assertArrayEquals(new int[] {3, 512, 512}, imgs.shape());
        byte[] raw = new byte[imgs.data().remaining()];
        imgs.data().duplicate().get(raw);
        MedicalImage ct = MedicalImage.builder(DataType.INT16, 512, 512, 3).modality("CT")
                .affine(Affine.ofSpacing(CoordinateSystem.LPS, new double[] {0.7, 0.7, 5}, new double[] {1, 2, 3}))
                .data(ByteBuffer.wrap(raw)).build();
        IntensityPreset preset = IntensityPreset.defaultFor(ct);
        assertEquals(IntensityPreset.ctWindow("soft-tissue"), preset);
        MedicalImage out = preset.apply(ct);
        byte[] expected = FixtureArray.read(Fixtures.require("fixtures/preprocess/ct_window_40_400_u8.npy")).bytes();
        assertEquals(0, mismatches(expected, bytes(out)), "mismatching voxels");
        assertEquals(DataType.UINT8, out.dataType());
        assertArrayEquals(ct.dims(), out.dims());
        assertTrue(out.affine(CoordinateSystem.LPS).approximatelyEquals(ct.affine(CoordinateSystem.LPS), 0));
        assertEquals(ct.modality(), out.modality());
        assertTrue(out.rescale().isIdentity());

        // the same through level,width and through a rescale: stored = HU + 1024, slope 1, intercept -1024
        short[] hu = imgs.shorts();
        ByteBuffer shifted = ByteBuffer.allocate(hu.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : hu) {
            shifted.putShort((short) (v + 1024));
        }
        MedicalImage stored = MedicalImage.builder(DataType.INT16, 512, 512, 3).rescale(new Rescale(1, -1024))
                .data(shifted.flip()).build();
        assertEquals(0, mismatches(expected, bytes(IntensityPreset.parse("40,400").apply(stored))));
    }

    // The MR file fixture (balls1_T1.nii.gz -> mr_percentile_u8.npy) needs a NIfTI reader: it is checked with
    // medsam-io's real one in medsam-examples (dev.medsam.examples.PresetFixturesTest).
    @Test
    void percentileFollowsNumpysLinearInterpolation() {
        // np.percentile([1, 2, 3, 4, 10], [0.5, 99.5]) -> [1.02, 9.879999999999999]; the zeros are ignored
        MedicalImage img = floats(new float[] {0, 3, 1, 0, 10, 4, 2}, 7, 1);
        double[] b = dev.medsam.core.pipeline.internal.Intensity.positivePercentiles(img, 0.5, 99.5);
        assertEquals(1.02, b[0], 0.0);
        assertEquals(9.879999999999999, b[1], 0.0);
        // the histogram path (int16) and the sorting path (float) agree
        MedicalImage asInt = shorts(new short[] {0, 3, 1, 0, 10, 4, 2}, 7, 1);
        assertArrayEquals(b, dev.medsam.core.pipeline.internal.Intensity.positivePercentiles(asInt, 0.5, 99.5));
        MedicalImage out = IntensityPreset.percentile().apply(img);
        // NumPy gives [0 56 0 0 255 85 28]: clipped, rescaled by the clipped min/max, zeros kept
        assertArrayEquals(new byte[] {0, 56, 0, 0, (byte) 255, 85, 28}, bytes(out));
    }

    @Test
    void ctWindowRescalesByTheClippedRangeNotTheWindow() {
        // values inside the window only: the output still spans 0..255
        MedicalImage img = shorts(new short[] {0, 50, 100}, 3, 1);
        assertArrayEquals(new byte[] {0, 127, (byte) 255}, bytes(IntensityPreset.ctWindow("soft-tissue").apply(img)));
        // values beyond both ends are clipped first
        MedicalImage wide = shorts(new short[] {-1000, 40, 1000}, 3, 1);
        assertArrayEquals(new byte[] {0, 127, (byte) 255}, bytes(IntensityPreset.ctWindow(40, 400).apply(wide)));
    }

    @Test
    void constantImagesGiveZeros() {
        MedicalImage img = shorts(new short[] {500, 500, 500, 500}, 2, 2);
        assertArrayEquals(new byte[4], bytes(IntensityPreset.ctWindow("bone").apply(img)));
    }

    @Test
    void namedWindows() {
        assertEquals(new Window(40, 400), IntensityPreset.ctWindow("soft-tissue").window());
        assertEquals(new Window(-600, 1500), IntensityPreset.ctWindow("lung").window());
        assertEquals(new Window(40, 80), IntensityPreset.ctWindow("Brain").window());
        assertEquals(new Window(50, 350), IntensityPreset.ctWindow("mediastinum").window());
        assertEquals(new Window(400, 1800), IntensityPreset.ctWindow("bone").window());
        assertEquals(new Window(-500, 1400), IntensityPreset.ctWindow("-500, 1400").window());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IntensityPreset.ctWindow("liver"));
        assertTrue(e.getMessage().contains("liver") && e.getMessage().contains("soft-tissue"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IntensityPreset.ctWindow("40,-5"));
        assertInstanceOf(IntensityPreset.AsIs.class, IntensityPreset.parse("as-is"));
        assertEquals(IntensityPreset.percentile(1, 99), IntensityPreset.parse("percentile:1,99"));
        assertEquals(IntensityPreset.ctWindow("lung").window(), ((IntensityPreset.CtWindow) IntensityPreset.parse("ct:lung")).window());
        for (IntensityPreset p : new IntensityPreset[] {IntensityPreset.asIs(), IntensityPreset.percentile(),
                IntensityPreset.percentile(2, 98), IntensityPreset.ctWindow("lung"), IntensityPreset.ctWindow(10, 20)}) {
            IntensityPreset back = IntensityPreset.parse(p.name());
            assertEquals(p.getClass(), back.getClass(), p.name());
        }
    }

    @Test
    void defaults() {
        assertInstanceOf(IntensityPreset.AsIs.class, IntensityPreset.defaultFor(bytesImage(new byte[4], 2, 2)));
        assertEquals(IntensityPreset.percentile(), IntensityPreset.defaultFor(shorts(new short[4], 2, 2)));
        assertEquals(IntensityPreset.percentile(), IntensityPreset.defaultFor(floats(new float[4], 2, 2)));
    }

    @Test
    void badInputGetsClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IntensityPreset.asIs().apply(shorts(new short[4], 2, 2)));
        assertTrue(e.getMessage().contains("int16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> IntensityPreset.percentile().apply(shorts(new short[] {0, -3, 0, -1}, 2, 2)));
        assertTrue(e.getMessage().contains("above 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> IntensityPreset.ctWindow("lung").apply(floats(new float[] {1, Float.NaN, 2, 3}, 2, 2)));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("index 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IntensityPreset.percentile(50, 10));
    }

    @Test
    void asIsKeepsRgb() {
        byte[] rgb = {1, 2, 3, 4, 5, 6};
        MedicalImage img = MedicalImage.builder(DataType.UINT8, 2, 1).components(3).data(ByteBuffer.wrap(rgb.clone()))
                .build();
        MedicalImage out = IntensityPreset.asIs().apply(img);
        assertEquals(3, out.components());
        assertArrayEquals(rgb, bytes(out));
    }

    // ------------------------------------------------------------------------------------------------

    static int mismatches(byte[] expected, byte[] actual) {
        assertEquals(expected.length, actual.length, "value count");
        int bad = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                bad++;
            }
        }
        return bad;
    }

    static byte[] bytes(MedicalImage img) {
        ByteBuffer d = img.data();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    static MedicalImage shorts(short[] v, int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : v) {
            b.putShort(s);
        }
        return MedicalImage.builder(DataType.INT16, w, h).data(b.flip()).build();
    }

    static MedicalImage floats(float[] v, int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return MedicalImage.builder(DataType.FLOAT32, w, h).data(b.flip()).build();
    }

    static MedicalImage bytesImage(byte[] v, int w, int h) {
        return MedicalImage.builder(DataType.UINT8, w, h).data(ByteBuffer.wrap(v.clone())).build();
    }

    /** One member of an .npz (a zip of .npy files), extracted to a temporary file and read. */
    FixtureArray npzMember(Path npz, String member) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(npz))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals(member)) {
                    Path out = temp.resolve(member);
                    Files.copy(zip, out);
                    return FixtureArray.read(out);
                }
            }
        }
        throw new AssertionError(npz + " has no member " + member);
    }
}
