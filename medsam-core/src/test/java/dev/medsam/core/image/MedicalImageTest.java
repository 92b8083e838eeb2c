package dev.medsam.core.image;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MedicalImageTest {

    /** A 4x3x2 int16 volume whose value at (x, y, z) is 100z + 10y + x. */
    private static MedicalImage volume() {
        ByteBuffer b = ByteBuffer.allocate(4 * 3 * 2 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int z = 0; z < 2; z++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    b.putShort((short) (100 * z + 10 * y + x));
                }
            }
        }
        b.flip();
        return MedicalImage.builder(DataType.INT16, 4, 3, 2)
                .affine(Affine.ofSpacing(CoordinateSystem.LPS, new double[] {0.5, 0.7, 2}, new double[] {10, 20, 30}))
                .rescale(new Rescale(2, -1024)).data(b).build();
    }

    @Test
    void indexesXFastest() {
        MedicalImage v = volume();
        assertEquals(123, v.get(v.index(3, 2, 1, 0)));
        assertEquals(2 * 123 - 1024, v.scaled(v.index(3, 2, 1, 0)));
        assertEquals(24, v.voxelCount());
    }

    @Test
    void axialPlaneKeepsGeometry() {
        MedicalImage p = volume().plane(2, 1, 0);
        assertArrayEquals(new int[] {4, 3}, p.dims());
        assertEquals(112, p.get(p.index(2, 1, 0, 0)));
        assertArrayEquals(new double[] {10, 20, 32}, p.affine(CoordinateSystem.LPS).origin(), 1e-12);
        assertEquals(new Rescale(2, -1024), p.rescale());
    }

    @Test
    void sagittalPlaneUsesRowsAndSlices() {
        MedicalImage p = volume().plane(0, 3, 0);
        assertArrayEquals(new int[] {3, 2}, p.dims());
        // (u, v) = (y, z)
        assertEquals(123, p.get(p.index(2, 1, 0, 0)));
        assertArrayEquals(new double[] {0.7, 2, 0.5}, p.spacing(), 1e-12);
        assertArrayEquals(new double[] {11.5, 20, 30}, p.affine(CoordinateSystem.LPS).origin(), 1e-12);
    }

    @Test
    void rejectsWrongDataSizeAndBadIndices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MedicalImage.builder(DataType.UINT8, 2, 2).data(ByteBuffer.allocate(3)).build());
        assertTrue(e.getMessage().contains("needs 4 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MedicalImage.builder(DataType.UINT8, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> MedicalImage.builder(DataType.FLOAT64, 65536, 65536));
        assertThrows(IndexOutOfBoundsException.class, () -> volume().plane(2, 2, 0));
    }

    @Test
    void readsEveryTypeLittleEndian() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xFFFF).putShort((short) 0x3C00).putInt(0).flip();
        MedicalImage u16 = MedicalImage.builder(DataType.UINT16, 4).data(b.duplicate()).build();
        assertEquals(65535, u16.get(0));
        MedicalImage f16 = MedicalImage.builder(DataType.FLOAT16, 4).data(b.duplicate()).build();
        assertEquals(1.0, f16.get(1));
        MedicalImage u64 = MedicalImage.builder(DataType.UINT64, 1)
                .data(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).flip()).build();
        assertEquals(18446744073709551615.0, u64.get(0));
    }

    @Test
    void volumeOfFourDimensionalSeries() {
        ByteBuffer b = ByteBuffer.allocate(2 * 2 * 1 * 3).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 12; i++) {
            b.put((byte) i);
        }
        b.flip();
        MedicalImage s = MedicalImage.builder(DataType.UINT8, 2, 2, 1, 3).data(b).build();
        MedicalImage t2 = s.volume(2);
        assertArrayEquals(new int[] {2, 2, 1}, t2.dims());
        assertEquals(8, t2.get(0));
        assertEquals(9, s.plane(2, 0, 2).get(1));
    }
}
