package dev.medsam.examples;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskImagesTest {

    private static final int W = 12;
    private static final int H = 9;

    /** Grey ramp: value = 10 * x + y. */
    private static MedicalImage grey() {
        byte[] v = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                v[y * W + x] = (byte) (10 * x + y);
            }
        }
        Affine a = Affine.ofSpacing(CoordinateSystem.LPS, new double[] {0.5, 0.7, 2.0}, new double[] {-10, 20, 30});
        return MedicalImage.builder(DataType.UINT8, W, H).affine(a).modality("CT").data(ByteBuffer.wrap(v)).build();
    }

    /** A 4 x 3 block at columns 3..6, rows 2..4. */
    private static BinaryMask block() {
        byte[] b = new byte[W * H];
        for (int y = 2; y <= 4; y++) {
            for (int x = 3; x <= 6; x++) {
                b[y * W + x] = 1;
            }
        }
        return BinaryMask.of(W, H, b);
    }

    private static int[] rgb(MedicalImage img, int x, int y) {
        ByteBuffer d = img.data();
        int i = 3 * (y * W + x);
        return new int[] {d.get(i) & 0xFF, d.get(i + 1) & 0xFF, d.get(i + 2) & 0xFF};
    }

    @Test
    void overlayKeepsTheBackgroundTintsTheInsideAndOutlinesTheEdge() {
        MedicalImage img = grey();
        MedicalImage o = MaskImages.overlay(img, block());
        assertEquals(DataType.UINT8, o.dataType());
        assertEquals(3, o.components());
        assertArrayEquals(new int[] {W, H}, o.dims());
        assertTrue(o.affine(CoordinateSystem.LPS).approximatelyEquals(img.affine(CoordinateSystem.LPS), 0));
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int g = 10 * x + y;
                boolean in = x >= 3 && x <= 6 && y >= 2 && y <= 4;
                boolean edge = in && (x == 3 || x == 6 || y == 2 || y == 4);
                int[] expected;
                if (!in) {
                    expected = new int[] {g, g, g};
                } else if (edge) {
                    expected = MaskImages.OUTLINE;
                } else {
                    expected = new int[3];
                    for (int k = 0; k < 3; k++) {
                        expected[k] = (int) Math.round((1 - MaskImages.FILL_ALPHA) * g + MaskImages.FILL_ALPHA * MaskImages.FILL[k]);
                    }
                }
                assertArrayEquals(expected, rgb(o, x, y), "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void theBoxIsDrawnOnItsRoundedEdgesAndClipped() {
        MedicalImage o = MaskImages.overlay(grey(), BinaryMask.of(W, H, new byte[W * H]), new Box(1.4, 0.6, 20, 5.5));
        // x 1..11 (clipped), y 1..6 (5.5 rounds up)
        for (int x = 1; x <= 11; x++) {
            assertArrayEquals(MaskImages.BOX, rgb(o, x, 1), "top " + x);
            assertArrayEquals(MaskImages.BOX, rgb(o, x, 6), "bottom " + x);
        }
        assertArrayEquals(MaskImages.BOX, rgb(o, 1, 3));
        assertArrayEquals(MaskImages.BOX, rgb(o, 11, 3));
        assertArrayEquals(new int[] {0, 0, 0}, rgb(o, 0, 0));
        assertArrayEquals(new int[] {53, 53, 53}, rgb(o, 5, 3));
    }

    @Test
    void mismatchedSizesAndTypesAreRefusedWithTheirNumbers() {
        BinaryMask small = BinaryMask.of(3, 3, new byte[9]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskImages.overlay(grey(), small));
        assertTrue(e.getMessage().contains("3 x 3") && e.getMessage().contains("12 x 9"), e.getMessage());
        MedicalImage int16 = MedicalImage.builder(DataType.INT16, W, H).data(ByteBuffer.allocate(2 * W * H)).build();
        e = assertThrows(IllegalArgumentException.class, () -> MaskImages.overlay(int16, block()));
        assertTrue(e.getMessage().contains("int16"), e.getMessage());
        MedicalImage volume = MedicalImage.builder(DataType.UINT8, W, H, 2).data(ByteBuffer.allocate(2 * W * H)).build();
        e = assertThrows(IllegalArgumentException.class, () -> MaskImages.overlay(volume, block()));
        assertTrue(e.getMessage().contains("2D"), e.getMessage());
    }
}
