package dev.medsam.io.numpy;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.io.files.MalformedImageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** .npy headers as other writers produce them, and the conversions of {@link NpyArray}. */
class NpyTest {

    @TempDir
    Path tmp;

    /** A .npy file with a hand-written header (padded with spaces and a newline) and raw data. */
    static byte[] npy(int major, String header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        int prefix = major == 1 ? 10 : 12;
        int len = header.length() + 1;
        int pad = (64 - (prefix + len) % 64) % 64;
        byte[] text = (header + " ".repeat(pad) + "\n").getBytes(major == 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1);
        ByteBuffer n = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            n.putShort((short) text.length);
        } else {
            n.putInt(text.length);
        }
        out.writeBytes(n.array());
        out.writeBytes(text);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private Path file(byte[] bytes) throws Exception {
        Path p = tmp.resolve("x.npy");
        Files.write(p, bytes);
        return p;
    }

    @Test
    void versions2And3AndPython2Longs() throws Exception {
        byte[] data = {1, 0, 2, 0, 3, 0};
        for (int major : new int[] {1, 2, 3}) {
            NpyArray a = Npy.read(file(npy(major, "{'descr': '<i2', 'fortran_order': False, 'shape': (3L,), }", data)));
            assertArrayEquals(new int[] {3}, a.shape());
            assertEquals(3.0, a.get(2));
            assertEquals(major, Npy.readHeader(tmp.resolve("x.npy")).major());
        }
        NpyArray a = Npy.read(file(npy(3, "{\"descr\": \"<u2\", \"shape\": (1, 3), \"fortran_order\": False}", data)));
        assertArrayEquals(new int[] {1, 3}, a.shape());
    }

    @Test
    void bigEndianFortranOrderAndScalars() throws Exception {
        // a = [[1, 2, 3], [4, 5, 6]] stored big-endian int32 in Fortran order: 1 4 2 5 3 6
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
        for (int v : new int[] {1, 4, 2, 5, 3, 6}) {
            b.putInt(v);
        }
        NpyArray a = Npy.read(file(npy(1, "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }", b.array())));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.toDoubleArray());
        assertEquals(6.0, a.get(1, 2));
        NpyArray s = Npy.read(file(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(2.5).array())));
        assertEquals(0, s.rank());
        assertEquals(2.5, s.get(0));
    }

    @Test
    void boolAndHalfValues() throws Exception {
        NpyArray b = Npy.read(file(npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
                new byte[] {0, 1, 1})));
        assertEquals(NpyDtype.BOOL, b.dtype());
        assertArrayEquals(new double[] {0, 1, 1}, b.toDoubleArray());
        // float16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 2^-24 = 0x0001
        NpyArray h = Npy.read(file(npy(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }",
                new byte[] {0x00, 0x3C, 0x00, (byte) 0xC0, (byte) 0xFF, 0x7B, 0x01, 0x00})));
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f}, h.toFloatArray());
    }

    @Test
    void rejectedHeadersSayWhy() throws Exception {
        String[][] cases = {
            {"{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "dtype '<c8' is not supported"},
            {"{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", "structured dtype"},
            {"{'descr': '<i4', 'fortran_order': False, 'shape': (-1,), }", "shape[0] is -1"},
            {"{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999,), }", "shape[0] is 99999999999"},
            {"{'descr': '<i4', 'fortran_order': 0, 'shape': (1,), }", "fortran_order is 0"},
            {"{'descr': '<i4', 'shape': (1,), }", "header keys"},
            {"{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'x': 1}", "header keys"},
            {"{'descr': '<i4', 'fortran_order': False, 'shape': [1], }", "not a tuple"},
            {"{'descr': '<i4', 'fortran_order': False, 'shape': (1,2", "unreadable .npy header"},
            {"{'descr': '|i4', 'fortran_order': False, 'shape': (1,), }", "no byte order"},
            {"{'descr': '<i4', 'fortran_order': False, 'shape': (1000, 1000), }", "needs 4000000 bytes but"},
        };
        for (String[] c : cases) {
            Path p = file(npy(1, c[0], new byte[4]));
            MalformedImageException e = assertThrows(MalformedImageException.class, () -> Npy.read(p), c[0]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().startsWith(p.toString()),
                    c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void floatTensorsGoInAndOutInOneLine() throws Exception {
        float[] values = new float[1 * 256 * 64 * 64];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.25f - 1000;
        }
        Path p = tmp.resolve("embedding.npy");
        Npy.write(p, NpyArray.of(FloatTensor.of(new int[] {1, 256, 64, 64}, values)));
        NpyHeader h = Npy.readHeader(p);
        assertEquals("<f4", h.descr());
        assertArrayEquals(new int[] {1, 256, 64, 64}, h.shape());
        assertEquals(128, h.dataOffset());
        assertArrayEquals(values, Npy.read(p).toFloatArray());
        assertArrayEquals(new int[] {1, 256, 64, 64}, Npy.read(p).toFloatTensor().shape());
        // NumPy writes exactly this header for a float32 (1, 256, 64, 64) array.
        String header = new String(Files.readAllBytes(p), 10, 118, StandardCharsets.ISO_8859_1);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 256, 64, 64), }", header.strip());
    }

    @Test
    void imageAxesAreReversed() {
        // a[z][y][x] = 100 z + 10 y + x for shape (2, 3, 4)
        byte[] v = new byte[24];
        for (int z = 0; z < 2; z++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    v[(z * 3 + y) * 4 + x] = (byte) (100 * z + 10 * y + x);
                }
            }
        }
        NpyArray a = NpyArray.ofBytes(v, 2, 3, 4);
        MedicalImage img = a.toMedicalImage();
        assertArrayEquals(new int[] {4, 3, 2}, img.dims());
        assertEquals(123.0, img.get(img.index(3, 2, 1, 0)));
        NpyArray back = NpyArray.of(img);
        assertArrayEquals(new int[] {2, 3, 4}, back.shape());
        assertEquals(a.data(), back.data());
        // (H, W, 3) as RGB: dims (W, H), 3 components
        MedicalImage rgb = NpyArray.ofBytes(new byte[2 * 5 * 3], 2, 5, 3).toMedicalImage(3);
        assertArrayEquals(new int[] {5, 2}, rgb.dims());
        assertEquals(3, rgb.components());
        assertArrayEquals(new int[] {2, 5, 3}, NpyArray.of(rgb).shape());
    }
}
