package dev.medsam.core.pipeline.internal;

import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.pipeline.Pipeline;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the resizes and frames that hold for any size. */
class ResizePropertiesTest {

    @Property(tries = 200)
    void pillowBilinearKeepsConstantsAndRange(@ForAll @IntRange(min = 1, max = 300) int inW,
                                              @ForAll @IntRange(min = 1, max = 40) int inH,
                                              @ForAll @IntRange(min = 1, max = 300) int outW,
                                              @ForAll @IntRange(min = 1, max = 40) int outH,
                                              @ForAll @IntRange(min = 0, max = 255) int value) {
        byte[] constant = new byte[inW * inH];
        Arrays.fill(constant, (byte) value);
        byte[] out = PilResize.resize(constant, inW, inH, outW, outH);
        assertEquals(outW * outH, out.length);
        for (byte b : out) {
            assertEquals(value, b & 0xFF);
        }
        byte[] ramp = new byte[inW * inH];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (byte) (i % 2 == 0 ? 10 : 200);
        }
        for (byte b : PilResize.resize(ramp, inW, inH, outW, outH)) {
            int v = b & 0xFF;
            assertTrue(v >= 10 && v <= 200, "value " + v + " outside the input's range");
        }
    }

    @Property(tries = 300)
    void openCvAreaKeepsConstantsAndRange(@ForAll @IntRange(min = 1, max = 300) int inW,
                                          @ForAll @IntRange(min = 1, max = 40) int inH,
                                          @ForAll @IntRange(min = 1, max = 300) int outW,
                                          @ForAll @IntRange(min = 1, max = 40) int outH,
                                          @ForAll @IntRange(min = 1, max = 4) int channels,
                                          @ForAll @IntRange(min = 0, max = 255) int value) {
        // Shrinking, enlarging, whole factors and mixed directions all take their own route through OpenCV's code.
        byte[] constant = new byte[inW * inH * channels];
        Arrays.fill(constant, (byte) value);
        byte[] out = AreaResize.resize(constant, inW, inH, channels, outW, outH);
        assertEquals(outW * outH * channels, out.length);
        for (byte b : out) {
            assertEquals(value, b & 0xFF);
        }
        byte[] ramp = new byte[inW * inH * channels];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (byte) (i % 3 == 0 ? 10 : 200);
        }
        for (byte b : AreaResize.resize(ramp, inW, inH, channels, outW, outH)) {
            int v = b & 0xFF;
            assertTrue(v >= 10 && v <= 200, "value " + v + " outside the input's range");
        }
    }

    @Property(tries = 100)
    void openCvAreaWholeFactorIsTheBlockMean(@ForAll @IntRange(min = 1, max = 30) int outW,
                                             @ForAll @IntRange(min = 1, max = 30) int outH,
                                             @ForAll @IntRange(min = 1, max = 4) int factor,
                                             @ForAll @IntRange(min = 1, max = 4) int channels) {
        int inW = outW * factor;
        int inH = outH * factor;
        byte[] in = new byte[inW * inH * channels];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (i * 37 + i / 7);
        }
        byte[] out = AreaResize.resize(in, inW, inH, channels, outW, outH);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                for (int c = 0; c < channels; c++) {
                    int sum = 0;
                    for (int dy = 0; dy < factor; dy++) {
                        for (int dx = 0; dx < factor; dx++) {
                            sum += in[((y * factor + dy) * inW + x * factor + dx) * channels + c] & 0xFF;
                        }
                    }
                    double mean = sum / (double) (factor * factor);
                    int got = out[(y * outW + x) * channels + c] & 0xFF;
                    assertTrue(Math.abs(got - mean) <= 0.5, got + " is not the rounded mean " + mean);
                }
            }
        }
    }

    @Property(tries = 200)
    void torchBilinearStaysWithinTheInputRange(@ForAll @IntRange(min = 1, max = 64) int inW,
                                               @ForAll @IntRange(min = 1, max = 64) int inH,
                                               @ForAll @IntRange(min = 1, max = 300) int outW,
                                               @ForAll @IntRange(min = 1, max = 300) int outH) {
        float[] in = new float[inW * inH];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) Math.sin(i * 0.37);
        }
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : in) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        for (float v : Bilinear.resize(in, inW, inH, outW, outH)) {
            assertTrue(v >= min - 1e-6f && v <= max + 1e-6f, v + " outside [" + min + ", " + max + "]");
        }
    }

    /**
     * The separable bilinear resize with a row stride gives, bit for bit, the formula as PyTorch writes it per
     * output pixel ({@code l0y * (l0x * p00 + l1x * p01) + l1y * (l0x * p10 + l1x * p11)}, written out here), for
     * shrinking, enlarging and crops of a wider plane.
     */
    @Property(tries = 300)
    void torchBilinearIsThePerPixelFormulaBitForBit(@ForAll @IntRange(min = 1, max = 64) int inW,
                                                    @ForAll @IntRange(min = 1, max = 64) int inH,
                                                    @ForAll @IntRange(min = 0, max = 9) int extraColumns,
                                                    @ForAll @IntRange(min = 1, max = 200) int outW,
                                                    @ForAll @IntRange(min = 1, max = 200) int outH,
                                                    @ForAll long seed) {
        int stride = inW + extraColumns;
        java.util.Random random = new java.util.Random(seed);
        float[] plane = new float[stride * inH];
        for (int i = 0; i < plane.length; i++) {
            plane[i] = (float) (random.nextGaussian() * 20);
        }
        float[] fast = Bilinear.resize(plane, stride, inW, inH, outW, outH);
        float scaleX = (float) inW / outW;
        float scaleY = (float) inH / outH;
        for (int y = 0; y < outH; y++) {
            double sy = Math.max((double) scaleY * (y + 0.5) - 0.5, 0);
            int ya = (int) sy;
            int yb = ya + (ya < inH - 1 ? 1 : 0);
            float ly1 = (float) Math.min(Math.max(sy - ya, 0.0), 1.0);
            float ly0 = 1f - ly1;
            for (int x = 0; x < outW; x++) {
                double sx = Math.max((double) scaleX * (x + 0.5) - 0.5, 0);
                int xa = (int) sx;
                int xb = xa + (xa < inW - 1 ? 1 : 0);
                float lx1 = (float) Math.min(Math.max(sx - xa, 0.0), 1.0);
                float lx0 = 1f - lx1;
                float want = ly0 * (lx0 * plane[ya * stride + xa] + lx1 * plane[ya * stride + xb])
                        + ly1 * (lx0 * plane[yb * stride + xa] + lx1 * plane[yb * stride + xb]);
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(fast[y * outW + x]),
                        "pixel (" + x + ", " + y + ")");
            }
        }
        if (extraColumns == 0) {
            assertTrue(Arrays.equals(fast, Bilinear.resize(plane, inW, inH, outW, outH)));
        }
    }

    /** The written-out 3-sample channel prefilter is scipy's general line filter, bit for bit. */
    @Property(tries = 1000)
    void channelFilterEqualsTheGeneralLineFilter(@ForAll @DoubleRange(min = -300, max = 300) double a,
                                                 @ForAll @DoubleRange(min = -300, max = 300) double b,
                                                 @ForAll @DoubleRange(min = -300, max = 300) double c) {
        double g = SplineResize.gain();
        double zn1 = StrictMath.pow(SplineResize.POLE, 2);
        double[] line = {a, b, c};
        SplineResize.filterLine(line, 0, 1, 3, g, zn1);
        double[] fused = SplineResize.channelFilteredRow(new double[][] {{a}, {b}, {c}}, 0, 1, g, zn1);
        for (int i = 0; i < 3; i++) {
            assertEquals(Double.doubleToLongBits(line[i]), Double.doubleToLongBits(fused[i]), "sample " + i);
        }
    }

    @Property(tries = 500)
    void samFramesFitTheLongestSideAndKeepTheAspect(@ForAll @IntRange(min = 1, max = 8192) int width,
                                                    @ForAll @IntRange(min = 1, max = 8192) int height) {
        ModelFrame f = ModelFrame.of(Pipeline.SAM, width, height);
        assertEquals(1024, Math.max(f.resizedWidth(), f.resizedHeight()));
        assertTrue(f.resizedWidth() >= 1 && f.resizedHeight() >= 1);
        double expected = (double) width / height;
        // each side is rounded to whole pixels: the aspect may move by up to half a pixel on the short side
        double shortSide = Math.min(f.resizedWidth(), f.resizedHeight());
        double actual = (double) f.resizedWidth() / f.resizedHeight();
        assertTrue(Math.abs(actual / expected - 1) <= 0.5 / Math.max(0.5, shortSide - 0.5) + 1e-12
                || shortSide == 1, width + "x" + height + " -> " + f);
        ModelFrame m = ModelFrame.of(Pipeline.MEDSAM, width, height);
        assertEquals(1024, m.resizedWidth());
        assertEquals(1024, m.resizedHeight());
    }
}
