package dev.medsam.core.pipeline.internal;

import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiteMedSamPreprocessTest {

    @Test
    void inputsOfBothCasesEqualTheReference() {
        for (String dir : new String[] {"ct_wide", "fundus_rgb"}) {
            FixtureArray orig = FixtureArray.read(Fixtures.require("fixtures/litemedsam-parity/" + dir
                    + "/image_orig_u8.npy"));
            FixtureArray want = FixtureArray.read(Fixtures.require("fixtures/litemedsam-parity/" + dir + "/input.npy"));
            FloatTensor in = LiteMedSamPreprocess.input(orig.bytes(), orig.shape()[1], orig.shape()[0], 3);
            assertArrayEquals(want.floats(), in.toArray(), dir);
        }
    }

    @Test
    void sizesAndBoxesFollowTheReferenceRounding() {
        assertArrayEquals(new int[] {160, 256}, LiteMedSamPreprocess.resizedSize(320, 512));
        assertArrayEquals(new int[] {171, 256}, LiteMedSamPreprocess.resizedSize(467, 701));
        assertArrayEquals(new int[] {256, 3}, LiteMedSamPreprocess.resizedSize(100, 1));
        // fundus box 1 of the manifest: [330, 200, 400, 260] -> [120, 73, 146, 94]
        assertArrayEquals(new float[] {120, 73, 146, 94},
                LiteMedSamPreprocess.box256(new double[] {330, 200, 400, 260}, 467, 701));
        // truncation towards zero, as Python's int()
        assertArrayEquals(new float[] {-1, 0, 0, 255},
                LiteMedSamPreprocess.box256(new double[] {-2.5, 0.9, 1, 511.9}, 512, 512));
    }

    @Test
    void greyIsRepeatedAndAConstantImageGivesZeros() {
        byte[] grey = new byte[30 * 20];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (byte) (i % 251);
        }
        byte[] rgb = new byte[grey.length * 3];
        for (int i = 0; i < grey.length; i++) {
            rgb[3 * i] = grey[i];
            rgb[3 * i + 1] = grey[i];
            rgb[3 * i + 2] = grey[i];
        }
        assertArrayEquals(LiteMedSamPreprocess.input(rgb, 20, 30, 3).toArray(),
                LiteMedSamPreprocess.input(grey, 20, 30, 1).toArray());
        for (float v : LiteMedSamPreprocess.input(new byte[] {7, 7, 7, 7}, 2, 2, 1).toArray()) {
            assertEquals(0f, v);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LiteMedSamPreprocess.input(new byte[8], 2, 2, 2)).getMessage().contains("2 channels"));
        assertThrows(IllegalArgumentException.class, () -> LiteMedSamPreprocess.input(new byte[5], 2, 2, 1));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LiteMedSamPreprocess.box256(new double[] {0, Double.NaN, 1, 1}, 9, 9)).getMessage()
                .contains("value 1 is NaN"));
        assertThrows(IllegalArgumentException.class, () -> LiteMedSamPreprocess.resizedSize(0, 5));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LiteMedSamPreprocess.input(new byte[600], 600, 1, 1)).getMessage().contains("too thin"));
        assertThrows(IllegalArgumentException.class, () -> LiteMedSamPreprocess.probabilities(new float[5], 9, 9));
    }

    @Property(tries = 300)
    void longestSideBecomes256AndTheAspectIsKept(@ForAll @IntRange(min = 1, max = 5000) int h,
                                                 @ForAll @IntRange(min = 1, max = 5000) int w) {
        int[] s = LiteMedSamPreprocess.resizedSize(h, w);
        assertEquals(256, Math.max(s[0], s[1]));
        assertTrue(s[0] >= 0 && s[1] >= 0);
        double expected = h >= w ? w * 256.0 / h : h * 256.0 / w;
        assertTrue(Math.abs(Math.min(s[0], s[1]) - expected) <= 0.5 + 1e-9, h + "x" + w + " -> " + s[0] + "x" + s[1]);
    }

    @Test
    void maskThresholdIsTheFirstLogitWithSigmoidAboveHalf() {
        float t = LiteMedSamPreprocess.MASK_THRESHOLD;
        assertTrue(t > 0f && t < 1e-6f, "threshold " + t);
        assertTrue(Bilinear.sigmoid(t) > 0.5f);
        assertEquals(0.5f, Bilinear.sigmoid(Math.nextDown(t)));
    }

    @Property(tries = 200)
    void maskIsExactlyProbabilityAboveHalf(@ForAll @IntRange(min = 1, max = 700) int h,
                                           @ForAll @IntRange(min = 1, max = 700) int w,
                                           @ForAll long seed) {
        int[] size = LiteMedSamPreprocess.resizedSize(h, w);
        if (size[0] == 0 || size[1] == 0) {
            return; // too thin to resize; input() refuses such images
        }
        java.util.Random r = new java.util.Random(seed);
        float t = LiteMedSamPreprocess.MASK_THRESHOLD;
        // logits at and around the threshold, zero, both signs, large values and NaN, so every branch is hit
        float[] special = {0f, -0f, t, Math.nextDown(t), Math.nextUp(t), -t, 1e-9f, -1e-9f, 30f, -30f, Float.NaN};
        float[] logits = new float[256 * 256];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : (float) (r.nextGaussian() * 1e-6);
        }
        float[] prob = LiteMedSamPreprocess.probabilities(logits, h, w);
        byte[] mask = LiteMedSamPreprocess.mask(logits, h, w);
        assertEquals(prob.length, mask.length);
        for (int i = 0; i < prob.length; i++) {
            if ((prob[i] > 0.5f ? 1 : 0) != mask[i]) {
                throw new AssertionError(w + "x" + h + " pixel " + i + ": probability " + prob[i] + ", mask " + mask[i]);
            }
        }
    }
}
