package dev.medsam.core.metrics;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelVolumeTest {

    private static MedicalImage floatImage(int[] dims, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            b.putFloat(4 * i, values[i]);
        }
        return MedicalImage.builder(DataType.FLOAT32, dims)
                .affine(Affine.ofSpacing(CoordinateSystem.RAS, new double[] {0.5, 0.7, 3}, new double[] {1, 2, 3}))
                .attribute("nifti.sform_code", "2")
                .data(b).build();
    }

    @Test
    void plainArraysAreCopiedAndIndexedXFastest() {
        int[] labels = {0, 1, 2, 3, 4, 5};
        LabelVolume v = LabelVolume.of(new int[] {3, 2}, new double[] {1, 2}, labels);
        labels[1] = 9;
        assertEquals(2, v.rank());
        assertEquals(1, v.label(1, 0));
        assertEquals(5, v.label(2, 1));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, v.labelsPresent());
        assertEquals(5, v.maxLabel());
        assertArrayEquals(new double[] {1, 2}, v.spacingMm());
        assertEquals(6, v.voxelCount());
        assertThrows(IndexOutOfBoundsException.class, () -> v.label(3, 0));
        assertThrows(IllegalStateException.class, () -> v.label(0, 0, 0));
    }

    @Test
    void largeLabelsAreKept() {
        LabelVolume v = LabelVolume.of(new int[] {2, 1, 1}, new double[] {1, 1, 1}, new int[] {70000, 300});
        assertArrayEquals(new int[] {300, 70000}, v.labelsPresent());
        MedicalImage image = v.toMedicalImage();
        assertEquals(DataType.INT32, image.dataType());
        assertEquals(70000, image.get(0));
        byte[] bytes = {(byte) 200, 0, 7};
        LabelVolume u = LabelVolume.ofUnsignedBytes(new int[] {3, 1}, new double[] {1, 1}, bytes);
        assertEquals(200, u.label(0, 0));
        assertEquals(DataType.UINT8, u.toMedicalImage().dataType());
    }

    @Test
    void badInputNamesWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelVolume.of(new int[] {2, 2}, new double[] {1, 1}, new int[] {0, 0, -3, 0}));
        assertTrue(e.getMessage().contains("-3") && e.getMessage().contains("index 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabelVolume.of(new int[] {2, 2}, new double[] {1, 1}, new int[5]));
        assertTrue(e.getMessage().contains("4 labels, got 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabelVolume.of(new int[] {2, 2}, new double[] {1, 0}, new int[4]));
        assertTrue(e.getMessage().contains("axis 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LabelVolume.of(new int[] {4}, new double[] {1}, new int[4]));
        assertThrows(IllegalArgumentException.class, () -> LabelVolume.of(new int[] {2, 2}, new double[] {1, 1, 1}, new int[4]));
        assertThrows(IllegalArgumentException.class, () -> LabelVolume.of(new int[] {2, 0}, new double[] {1, 1}, new int[0]));
    }

    @Test
    void floatLabelImagesWithWholeValuesAreAccepted() {
        MedicalImage image = floatImage(new int[] {2, 2, 2}, 0, 1, 1, 0, 2, 2, 0, 0);
        LabelVolume v = LabelVolume.from(image);
        assertEquals(3, v.rank());
        assertEquals(2, v.label(0, 0, 1));
        assertArrayEquals(new double[] {0.5, 0.7, 3}, v.spacingMm(), 1e-12);
        assertTrue(v.affine().approximatelyEquals(image.affine(CoordinateSystem.LPS), 0));
        MedicalImage back = v.toMedicalImage();
        assertEquals(DataType.UINT8, back.dataType());
        assertEquals("2", back.attributes().get("nifti.sform_code"));
        assertTrue(back.affine(CoordinateSystem.RAS).approximatelyEquals(image.affine(CoordinateSystem.RAS), 1e-12));
        for (int i = 0; i < 8; i++) {
            assertEquals(image.get(i), back.get(i));
        }
    }

    @Test
    void fractionalOrNegativeValuesAreRefusedWithTheVoxel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelVolume.from(floatImage(new int[] {2, 2, 2}, 0, 0, 0, 0, 0, 0, 0.5f, 0)));
        assertTrue(e.getMessage().contains("(0, 1, 1)") && e.getMessage().contains("0.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabelVolume.from(floatImage(new int[] {2, 1}, -1, 0)));
        assertTrue(e.getMessage().contains("(0, 0)") && e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LabelVolume.from(floatImage(new int[] {2, 1}, Float.NaN, 0)));
    }

    @Test
    void rankFollowsTheImage() {
        assertEquals(2, LabelVolume.from(floatImage(new int[] {2, 2}, 0, 1, 0, 1)).rank());
        assertEquals(3, LabelVolume.from(floatImage(new int[] {2, 2, 1}, 0, 1, 0, 1)).rank());
        LabelVolume fourD = LabelVolume.from(floatImage(new int[] {2, 1, 1, 1}, 0, 1));
        assertArrayEquals(new int[] {2, 1, 1}, fourD.dims());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelVolume.from(floatImage(new int[] {2, 1, 1, 2}, 0, 1, 0, 1)));
        assertTrue(e.getMessage().contains("[2, 1, 1, 2]"), e.getMessage());
        MedicalImage rgb = MedicalImage.builder(DataType.UINT8, 2, 2).components(3).data(ByteBuffer.allocate(12)).build();
        assertThrows(IllegalArgumentException.class, () -> LabelVolume.from(rgb));
    }

    @Test
    void int16ImagesAreRead() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0).putShort(2, (short) 1000).putShort(4, (short) 3).putShort(6, (short) 0);
        LabelVolume v = LabelVolume.from(MedicalImage.builder(DataType.INT16, 2, 2).data(b).build());
        assertEquals(1000, v.label(1, 0));
        assertEquals(DataType.UINT16, v.toMedicalImage().dataType());
        ByteBuffer n = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) -5);
        assertThrows(IllegalArgumentException.class, () -> LabelVolume.from(MedicalImage.builder(DataType.INT16, 2, 1).data(n).build()));
    }
}
