package dev.medsam.io.numpy;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MedSamNpzTest {

    @TempDir
    Path tmp;

    private static Path derived() {
        return Reference.dataDir().resolve("derived/ct_3slice_liver_medsam_style.npz");
    }

    @Test
    void derivedVolumeWithSpacingInArrayOrder() throws Exception {
        MedSamNpz c = MedSamNpz.read(derived());
        assertTrue(c.isVolume());
        MedicalImage ct = c.image(SpacingOrder.ARRAY_ORDER);
        assertArrayEquals(new int[] {512, 512, 3}, ct.dims(), "(D, H, W) -> dims (W, H, D)");
        // The file stores [dz, dy, dx] = [1.0, 0.810547, 0.810547].
        assertArrayEquals(new double[] {0.810547, 0.810547, 1.0}, ct.spacing(), 1e-12);
        assertArrayEquals(new double[] {1.0, 0.810547, 0.810547}, c.spacing(SpacingOrder.XYZ).orElseThrow(), 1e-12);
        MedicalImage gt = c.groundTruth(SpacingOrder.ARRAY_ORDER).orElseThrow();
        assertArrayEquals(ct.dims(), gt.dims());
        assertEquals(ct.affine(dev.medsam.core.image.CoordinateSystem.LPS),
                gt.affine(dev.medsam.core.image.CoordinateSystem.LPS));
        assertFalse(c.boxes().isPresent());
        // imgs[z=1][y=256][x=300] is voxel (300, 256, 1)
        assertEquals(c.imgs().get(1, 256, 300), ct.get(ct.index(300, 256, 1, 0)));

        LoadedImage loaded = MedicalImages.read(derived());
        assertEquals(ImageFormat.NPZ, loaded.format());
        assertArrayEquals(ct.spacing(), loaded.image().spacing(), 0, "MedicalImages reads spacing in array order");
    }

    @Test
    void segsRoundTripAndLayoutChecks() throws Exception {
        MedSamNpz c = MedSamNpz.read(derived());
        MedicalImage labels = c.groundTruth(SpacingOrder.ARRAY_ORDER).orElseThrow();
        Path out = tmp.resolve("seg.npz");
        MedSamNpz.writeSegs(out, labels);
        NpyArray segs = Npz.read(out, "segs");
        assertArrayEquals(new int[] {3, 512, 512}, segs.shape());
        assertEquals(c.gts().orElseThrow().data(), segs.data());

        // 2D RGB case with (N, 4) boxes
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofBytes(new byte[4 * 5 * 3], 4, 5, 3));
        m.put("boxes", NpyArray.ofDoubles(new double[] {0, 0, 2, 2}, 1, 4));
        m.put("spacing", NpyArray.ofDoubles(new double[] {0.5, 0.25}, 2));
        Path twoD = tmp.resolve("2d.npz");
        Npz.write(twoD, m, false);
        MedSamNpz c2 = MedSamNpz.read(twoD);
        assertFalse(c2.isVolume());
        MedicalImage rgb = c2.image(SpacingOrder.ARRAY_ORDER);
        assertArrayEquals(new int[] {5, 4}, rgb.dims());
        assertEquals(3, rgb.components());
        assertEquals(0.25, rgb.spacing()[0], 0, "x spacing is the last array-order value");
        assertEquals(0.5, rgb.spacing()[1], 0);

        // gts that do not match imgs are reported when reading
        m.put("gts", NpyArray.ofBytes(new byte[6], 2, 3));
        Path bad = tmp.resolve("bad.npz");
        Npz.write(bad, m, true);
        MalformedImageException e = assertThrows(MalformedImageException.class, () -> MedSamNpz.read(bad));
        assertTrue(e.getMessage().contains("'gts' has shape [2, 3]"), e.getMessage());
        m.remove("gts");
        m.remove("imgs");
        Path none = tmp.resolve("none.npz");
        Npz.write(none, m, true);
        e = assertThrows(MalformedImageException.class, () -> MedSamNpz.read(none));
        assertTrue(e.getMessage().contains("has no 'imgs' array"), e.getMessage());
        e = assertThrows(MalformedImageException.class, () -> Npz.read(none, "imgs"));
        assertTrue(e.getMessage().contains("[boxes, spacing]"), e.getMessage());
    }
}
