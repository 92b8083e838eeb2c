package dev.medsam.core;

import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.MaskPrediction;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MasksTest {

    @Test
    void probabilityThresholdIsStrict() {
        ProbabilityMask p = ProbabilityMask.of(3, 1, new float[] {0.5f, 0.50001f, 0.2f});
        BinaryMask m = p.threshold(0.5f);
        assertArrayEquals(new byte[] {0, 1, 0}, m.toArray());
        assertEquals(1, m.count());
    }

    @Test
    void probabilitiesOutsideUnitIntervalAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ProbabilityMask.of(1, 1, new float[] {1.5f}));
        assertThrows(IllegalArgumentException.class, () -> ProbabilityMask.of(1, 1, new float[] {Float.NaN}));
    }

    @Test
    void boundsAreInclusive() {
        byte[] bits = new byte[5 * 4];
        bits[1 * 5 + 2] = 1;
        bits[3 * 5 + 4] = 7;
        BinaryMask m = BinaryMask.of(5, 4, bits);
        assertEquals(new PixelBounds(2, 1, 4, 3), m.bounds().orElseThrow());
        assertTrue(BinaryMask.of(2, 2, new byte[4]).bounds().isEmpty());
        assertTrue(m.get(4, 3));
    }

    @Test
    void boundsToBoxAddsMarginAndClips() {
        Box b = new PixelBounds(2, 1, 4, 3).toBox(5, 10, 8);
        assertEquals(new Box(0, 0, 9, 7), b);
        Box single = new PixelBounds(3, 3, 3, 3).toBox(0, 10, 10);
        assertEquals(new Box(3, 3, 4, 4), single);
    }

    @Test
    void lengthsMustMatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskLogits.of(4, 4, new float[15]));
        assertTrue(e.getMessage().contains("4x4"), e.getMessage());
    }

    @Test
    void predictionPicksBestMask() {
        FloatTensor logits = FloatTensor.wrap(new int[] {2, 3, 256, 256}, new float[2 * 3 * 256 * 256]);
        FloatTensor iou = FloatTensor.of(new int[] {2, 3}, new float[] {0.1f, 0.9f, 0.3f, 0.5f, 0.5f, 0.2f});
        MaskPrediction p = new MaskPrediction(logits, iou);
        assertEquals(1, p.bestMask(0));
        assertEquals(0, p.bestMask(1));
        assertThrows(IndexOutOfBoundsException.class, () -> p.iou(2, 0));
    }
}
