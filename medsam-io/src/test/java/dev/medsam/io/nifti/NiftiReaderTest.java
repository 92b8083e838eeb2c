package dev.medsam.io.nifti;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Rescale;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.testing.Mangle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NIfTI behaviours one at a time, on small files made here. */
class NiftiReaderTest {

    @TempDir
    Path tmp;

    /** A little-endian NIfTI-1 file of int16 zeros with the given dims, as bytes to edit. */
    private byte[] file(int... dims) throws IOException {
        MedicalImage img = MedicalImage.builder(DataType.INT16, dims)
                .data(ByteBuffer.allocate((int) Arrays.stream(dims).asLongStream().reduce(1, (a, b) -> a * b) * 2))
                .build();
        Path p = tmp.resolve("base.nii");
        NiftiWriter.write(img, p);
        return Files.readAllBytes(p);
    }

    private MedicalImage read(byte[] bytes, List<String> warnings) throws IOException {
        Path p = tmp.resolve("t.nii");
        Files.write(p, bytes);
        return NiftiReader.read(p, warnings::add);
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void scalingFollowsNibabel() throws Exception {
        byte[] b = file(2, 2);
        le(b).putFloat(112, 0f).putFloat(116, 5f);
        assertEquals(Rescale.IDENTITY, read(b, new ArrayList<>()).rescale(), "slope 0: unscaled");
        le(b).putFloat(112, Float.NaN);
        assertEquals(Rescale.IDENTITY, read(b, new ArrayList<>()).rescale(), "slope NaN: unscaled");
        le(b).putFloat(112, 2f).putFloat(116, -1.5f);
        assertEquals(new Rescale(2, -1.5), read(b, new ArrayList<>()).rescale());
        le(b).putFloat(116, Float.NaN);
        MalformedImageException e = assertThrows(MalformedImageException.class, () -> read(b, new ArrayList<>()));
        assertTrue(e.getMessage().contains("scl_inter is NaN"), e.getMessage());
    }

    @Test
    void singletonDimsAreKeptAndTrailingBytesIgnored() throws Exception {
        byte[] b = file(4, 3, 1, 1);
        byte[] longer = Arrays.copyOf(b, b.length + 100);
        MedicalImage img = read(longer, new ArrayList<>());
        assertArrayEquals(new int[] {4, 3, 1, 1}, img.dims());
        assertEquals("4 4 3 1 1 1 1 1", img.attributes().get("nifti.dim"));
    }

    @Test
    void voxOffsetZeroOrInsideTheHeaderReadsAt352() throws Exception {
        byte[] b = file(2, 2);
        le(b).putShort(352, (short) 7); // first voxel
        le(b).putFloat(108, 0f);
        List<String> w = new ArrayList<>();
        assertEquals(7.0, read(b, w).get(0));
        assertTrue(w.isEmpty(), "0 means unset: " + w);
        le(b).putFloat(108, 100f);
        assertEquals(7.0, read(b, w).get(0));
        assertTrue(w.get(0).contains("vox_offset 100 is inside the header"), w.toString());
        le(b).putFloat(108, 10_000f);
        MalformedImageException e = assertThrows(MalformedImageException.class, () -> read(b, new ArrayList<>()));
        assertTrue(e.getMessage().contains("vox_offset 10000 is past the end"), e.getMessage());
    }

    @Test
    void fallbackAffineIsNibabelsPixdimDiagonal() throws Exception {
        byte[] b = file(5, 4, 3);
        ByteBuffer h = le(b);
        h.putShort(252, (short) 0).putShort(254, (short) 0);
        h.putFloat(80, 2f).putFloat(84, 3f).putFloat(88, 0f); // pixdim[1..3]; 0 becomes 1
        MedicalImage img = read(b, new ArrayList<>());
        Affine expected = Affine.of(CoordinateSystem.RAS, -2, 0, 0, 4, 0, 3, 0, -4.5, 0, 0, 1, -1);
        assertEquals(expected, img.affine(CoordinateSystem.RAS));
        assertEquals("pixdim", img.attributes().get("nifti.affine_source"));
    }

    @Test
    void qformUsedWhenSformCodeIsZeroWithQfac() throws Exception {
        byte[] b = file(2, 2, 2);
        ByteBuffer h = le(b);
        h.putShort(254, (short) 0).putShort(252, (short) 1);
        h.putFloat(256, 0).putFloat(260, 0).putFloat(264, 0); // identity rotation
        h.putFloat(76, -1f).putFloat(80, 2f).putFloat(84, 3f).putFloat(88, 4f);
        h.putFloat(268, 10).putFloat(272, 20).putFloat(276, 30);
        MedicalImage img = read(b, new ArrayList<>());
        Affine expected = Affine.of(CoordinateSystem.RAS, 2, 0, 0, 10, 0, 3, 0, 20, 0, 0, -4, 30);
        assertTrue(expected.approximatelyEquals(img.affine(CoordinateSystem.RAS), 0),
                "qfac -1 flips the third axis: " + img.affine(CoordinateSystem.RAS));
        h.putFloat(76, 0.5f); // qfac neither 1 nor -1: nibabel uses 1
        assertEquals(4.0, read(b, new ArrayList<>()).affine(CoordinateSystem.RAS).get(2, 2));
    }

    @Test
    void unusableSformFallsBackWithAWarning() throws Exception {
        byte[] b = file(2, 2, 2);
        ByteBuffer h = le(b);
        h.putShort(254, (short) 1);
        for (int i = 0; i < 12; i++) {
            h.putFloat(280 + 4 * i, 0f); // a singular sform
        }
        List<String> w = new ArrayList<>();
        MedicalImage img = read(b, w);
        assertEquals("qform", img.attributes().get("nifti.affine_source"));
        assertTrue(w.get(0).contains("sform") && w.get(0).contains("not a usable affine"), w.toString());
    }

    @Test
    void pairsAndBadMagicAndUnsupportedTypesAreRejected() throws Exception {
        byte[] b = file(2, 2);
        b[345] = 'i';
        assertMessage(b, "NIfTI pair");
        b[345] = '+';
        b[344] = 'x';
        assertMessage(b, "bad NIfTI magic 'x+1'");
        b[344] = 'n';
        le(b).putShort(70, (short) 32);
        assertMessage(b, "datatype 32 (complex) is not supported");
        le(b).putShort(70, (short) 4).putShort(42, (short) 0);
        assertMessage(b, "dim[1] is 0");
        le(b).putShort(42, (short) 2).putShort(40, (short) 9);
        assertMessage(b, "dim[0] is 9");
    }

    private void assertMessage(byte[] b, String part) {
        MalformedImageException e = assertThrows(MalformedImageException.class, () -> read(b, new ArrayList<>()));
        assertTrue(e.getMessage().contains(part) && e.getMessage().startsWith(tmp.resolve("t.nii").toString()),
                e.getMessage());
    }

    @Test
    void rgb24AndRgba32() throws Exception {
        byte[] v = {1, 2, 3, 4, 5, 6};
        MedicalImage rgb = MedicalImage.builder(DataType.UINT8, 2, 1).components(3).data(ByteBuffer.wrap(v)).build();
        Path p = tmp.resolve("rgb.nii.gz");
        NiftiWriter.write(rgb, p);
        MedicalImage back = NiftiReader.read(p);
        assertEquals(3, back.components());
        assertEquals("128", back.attributes().get("nifti.datatype"));
        assertEquals(rgb.data(), back.data());
    }

    @Test
    void largeDimsSwitchToNifti2() throws Exception {
        MedicalImage wide = MedicalImage.builder(DataType.UINT8, 40000, 2).data(ByteBuffer.allocate(80000)).build();
        Path p = tmp.resolve("wide.nii");
        NiftiWriter.write(wide, p);
        assertEquals(540, le(Files.readAllBytes(p)).getInt(0));
        assertArrayEquals(new int[] {40000, 2}, NiftiReader.read(p).dims());
        assertThrows(IllegalArgumentException.class, () ->
                NiftiWriter.builder().version(NiftiVersion.NIFTI1).build().writeImage(wide, tmp.resolve("no.nii")));
        assertFalse(Files.exists(tmp.resolve("no.nii")));
    }

    @Test
    void failedWritesLeaveNoFileBehind() throws Exception {
        MedicalImage half = MedicalImage.builder(DataType.FLOAT16, 2, 2).data(ByteBuffer.allocate(8)).build();
        assertThrows(IllegalArgumentException.class, () -> NiftiWriter.write(half, tmp.resolve("h.nii")));
        Path existing = tmp.resolve("keep.nii");
        Files.writeString(existing, "old");
        Path dirAsTarget = tmp.resolve("sub");
        Files.createDirectory(dirAsTarget);
        MedicalImage ok = MedicalImage.builder(DataType.UINT8, 2, 2).data(ByteBuffer.allocate(4)).build();
        assertThrows(IOException.class, () -> NiftiWriter.write(ok, dirAsTarget));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of("keep.nii", "sub"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertEquals("old", Files.readString(existing));
    }

    /** Reading holds the stored volume once: allocation is the data size plus small buffers. */
    @Test
    void readingAllocatesOneCopyOfTheData() throws Exception {
        int n = 256 * 256 * 80; // 10 MB of int16
        byte[] v = new byte[n * 2];
        for (int i = 0; i < v.length; i += 97) {
            v[i] = (byte) i;
        }
        MedicalImage img = MedicalImage.builder(DataType.INT16, 256, 256, 80).data(ByteBuffer.wrap(v)).build();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (String name : new String[] {"big.nii", "big.nii.gz"}) {
            Path p = tmp.resolve(name);
            NiftiWriter.builder().byteOrder(ByteOrder.BIG_ENDIAN).build().writeImage(img, p);
            NiftiReader.read(p); // warm up
            long before = mx.getThreadAllocatedBytes(tid);
            MedicalImage back = NiftiReader.read(p);
            long used = mx.getThreadAllocatedBytes(tid) - before;
            assertEquals(img.data(), back.data());
            assertTrue(used < v.length + (2 << 20), name + ": allocated " + used + " bytes for " + v.length
                    + " bytes of data");
        }
        Mangle.check(tmp.resolve("x.nii"), new byte[0], NiftiReader::read);
    }
}
