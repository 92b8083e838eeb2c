package dev.medsam.core;

import dev.medsam.core.spi.ModelPrompt;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptsTest {

    @Test
    void combinesOneBoxWithPointsAndAMask() {
        MaskPrompt mask = new MaskPrompt(MaskLogits.of(256, 256, new float[256 * 256]));
        Prompts p = Prompts.of(Point.positive(1, 2), new Box(0, 0, 10, 10), Point.negative(3, 4), mask);
        assertEquals(new Box(0, 0, 10, 10), p.box().orElseThrow());
        assertEquals(List.of(Point.positive(1, 2), Point.negative(3, 4)), p.points());
        assertEquals(mask, p.mask().orElseThrow());
    }

    @Test
    void rejectsTwoBoxesAndEmptyPrompts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Prompts.of(new Box(0, 0, 1, 1), new Box(1, 1, 2, 2)));
        assertTrue(e.getMessage().contains("at most one box"), e.getMessage());
        assertThrows(IllegalArgumentException.class, Prompts::of);
    }

    @Test
    void boxRejectsInvertedEmptyAndNonFiniteCorners() {
        IllegalArgumentException inverted = assertThrows(IllegalArgumentException.class, () -> new Box(10, 0, 5, 5));
        assertTrue(inverted.getMessage().contains("[10.0, 0.0, 5.0, 5.0]"), inverted.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Box(0, 0, 0, 5));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> new Box(0, Double.NaN, 5, 5));
        assertTrue(nan.getMessage().contains("y0"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Point(Double.POSITIVE_INFINITY, 0, PointLabel.POSITIVE));
    }

    @Test
    void pointLabelsMapToSamValues() {
        assertEquals(1, PointLabel.POSITIVE.samLabel());
        assertEquals(PointLabel.NEGATIVE, PointLabel.fromSamLabel(0));
        assertThrows(IllegalArgumentException.class, () -> PointLabel.fromSamLabel(-1));
    }

    @Test
    void maskPromptMustBe256() {
        assertThrows(IllegalArgumentException.class, () -> new MaskPrompt(MaskLogits.of(64, 64, new float[64 * 64])));
    }

    @Test
    void modelPromptChecksStructure() {
        ModelPrompt box = ModelPrompt.builder().box(new float[] {1, 2, 3, 4}).build();
        ModelPrompt point = ModelPrompt.builder().points(new float[] {5, 6}, new int[] {1}).build();
        assertTrue(box.sameStructureAs(box));
        assertTrue(!box.sameStructureAs(point));
        assertThrows(IllegalArgumentException.class, () -> ModelPrompt.builder().points(new float[] {1}, new int[] {1}).build());
        assertThrows(IllegalArgumentException.class, () -> ModelPrompt.builder().points(new float[] {1, 2}, new int[] {2}).build());
    }
}
