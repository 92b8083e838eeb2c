package dev.medsam.io;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MedicalImagesTest {

    @TempDir
    Path tmp;

    @Test
    void formatComesFromContentNotName() throws Exception {
        String[][] files = {
            {"nifti/nib_example4d.nii.gz", "NIFTI1"},
            {"nifti/nib_example_nifti2.nii.gz", "NIFTI2"},
            {"nifti/nib_anatomical.nii", "NIFTI1"},
            {"numpy/dipy_t1_coronal_slice.npy", "NPY"},
            {"derived/ct_3slice_liver_medsam_style.npz", "NPZ"},
            {"derived/mr_mosaic_uint16.png", "PNG"},
            {"derived/ct_slice01_hu_int16.tif", "TIFF"},
        };
        for (String[] f : files) {
            Path renamed = tmp.resolve("file.dat");
            Files.copy(Reference.dataDir().resolve(f[0]), renamed, StandardCopyOption.REPLACE_EXISTING);
            assertEquals(ImageFormat.valueOf(f[1]), MedicalImages.detect(renamed), f[0]);
            LoadedImage li = MedicalImages.read(renamed);
            assertEquals(ImageFormat.valueOf(f[1]), li.format());
            assertTrue(li.image().voxelCount() > 0);
        }
    }

    @Test
    void writeByExtensionAndReadBack() throws Exception {
        byte[] v = new byte[4 * 3 * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) i;
        }
        MedicalImage img = MedicalImage.builder(DataType.UINT8, 4, 3, 2).data(ByteBuffer.wrap(v)).build();
        for (String name : new String[] {"a.nii", "a.nii.gz", "a.npy"}) {
            Path p = tmp.resolve(name);
            MedicalImages.write(img, p);
            MedicalImage back = MedicalImages.read(p).image();
            assertArrayEquals(img.dims(), back.dims(), name);
            assertEquals(img.data(), back.data(), name);
        }
        MedicalImage slice = img.plane(2, 1, 0);
        MedicalImages.write(slice, tmp.resolve("a.png"));
        assertEquals(slice.data(), MedicalImages.read(tmp.resolve("a.png")).image().data());
        assertThrows(IllegalArgumentException.class, () -> MedicalImages.write(img, tmp.resolve("a.jpg")));
    }

    @Test
    void npyAndNpzImages() throws Exception {
        Path rgb = tmp.resolve("rgb.npy");
        Npy.write(rgb, NpyArray.ofBytes(new byte[2 * 5 * 3], 2, 5, 3));
        MedicalImage img = MedicalImages.read(rgb).image();
        assertArrayEquals(new int[] {5, 2}, img.dims(), "(H, W, 3) is an RGB image");
        assertEquals(3, img.components());

        Map<String, NpyArray> one = new LinkedHashMap<>();
        one.put("volume", NpyArray.ofBytes(new byte[24], 2, 3, 4));
        Path single = tmp.resolve("one.npz");
        Npz.write(single, one, true);
        assertArrayEquals(new int[] {4, 3, 2}, MedicalImages.read(single).image().dims());
        one.put("other", NpyArray.ofBytes(new byte[1], 1));
        Npz.write(single, one, true);
        MalformedImageException e = assertThrows(MalformedImageException.class, () -> MedicalImages.read(single));
        assertTrue(e.getMessage().contains("[volume, other]"), e.getMessage());
    }

    @Test
    void inspectOfALargeVolumeStaysWithinOneExtraCopy() throws Exception {
        // 512 x 512 x 40 int16 (20 MB): the C-order hash is taken through a bounded gather buffer.
        int nx = 512;
        int ny = 512;
        int nz = 40;
        byte[] v = new byte[nx * ny * nz * 2];
        for (int i = 0; i < v.length; i += 2) {
            v[i] = (byte) (i / 2 % 251);
        }
        MedicalImage img = MedicalImage.builder(DataType.INT16, nx, ny, nz).data(ByteBuffer.wrap(v)).build();
        Path p = tmp.resolve("vol.nii");
        MedicalImages.write(img, p);
        MedicalImages.inspect(p);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        Inspection ins = MedicalImages.inspect(p);
        long used = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(used < 2L * v.length + (4 << 20), "inspect allocated " + used + " for " + v.length + " bytes");
        // the C-order hash of (x, y, z) equals hashing the transposed array directly
        byte[] c = new byte[v.length];
        int k = 0;
        for (int x = 0; x < nx; x++) {
            for (int y = 0; y < ny; y++) {
                for (int z = 0; z < nz; z++) {
                    int s = 2 * (x + nx * (y + ny * z));
                    c[k++] = v[s];
                    c[k++] = v[s + 1];
                }
            }
        }
        assertEquals(Reference.sha256(c, 0, c.length), ins.entries().get(0).sha256());
        assertEquals(CoordinateSystem.RAS, ins.entries().get(0).affine().orElseThrow().system());
    }
}
