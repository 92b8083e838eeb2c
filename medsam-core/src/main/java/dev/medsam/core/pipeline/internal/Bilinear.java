package dev.medsam.core.pipeline.internal;

/**
 * PyTorch 1.13's CPU {@code F.interpolate(mode='bilinear', align_corners=False)} on float32 planes, as the
 * parity fixtures' recipe states it: the scale in float32, the source coordinate in double
 * ({@code scale * (dst + 0.5) - 0.5}, clamped at 0), the lambdas rounded to float32 and the blend in float32
 * ({@code l0y * (l0x * p00 + l1x * p01) + l1y * (l0x * p10 + l1x * p11)}). Doing the coordinate in float32
 * instead flips pixels near the 0.5 threshold.
 */
public final class Bilinear {

    private Bilinear() {
    }

    /**
     * Resizes a row-major {@code inW x inH} plane to {@code outW x outH}.
     */
    public static float[] resize(float[] in, int inW, int inH, int outW, int outH) {
        if (in.length != inW * inH) {
            throw new IllegalArgumentException("plane of " + inW + "x" + inH + " needs " + inW * inH + " values, got "
                    + in.length);
        }
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] lx0 = new float[outW];
        float[] lx1 = new float[outW];
        axis(inW, outW, x0, x1, lx0, lx1);
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        float[] ly0 = new float[outH];
        float[] ly1 = new float[outH];
        axis(inH, outH, y0, y1, ly0, ly1);
        float[] out = new float[outW * outH];
        for (int y = 0; y < outH; y++) {
            int r0 = y0[y] * inW;
            int r1 = y1[y] * inW;
            float a0 = ly0[y];
            float a1 = ly1[y];
            int o = y * outW;
            for (int x = 0; x < outW; x++) {
                float b0 = lx0[x];
                float b1 = lx1[x];
                float top = b0 * in[r0 + x0[x]] + b1 * in[r0 + x1[x]];
                float bottom = b0 * in[r1 + x0[x]] + b1 * in[r1 + x1[x]];
                out[o + x] = a0 * top + a1 * bottom;
            }
        }
        return out;
    }

    private static void axis(int in, int out, int[] i0, int[] i1, float[] l0, float[] l1) {
        float scale = (float) in / out;
        for (int d = 0; d < out; d++) {
            double src = (double) scale * (d + 0.5) - 0.5;
            if (src < 0) {
                src = 0;
            }
            int a = (int) src;
            int b = a + (a < in - 1 ? 1 : 0);
            double frac = Math.min(Math.max(src - a, 0.0), 1.0);
            float lambda1 = (float) frac;
            i0[d] = a;
            i1[d] = b;
            l1[d] = lambda1;
            l0[d] = 1f - lambda1;
        }
    }

    /** The logistic function in float32: {@code 1 / (1 + exp(-x))}, rounded once from double. */
    public static float sigmoid(float x) {
        float e = (float) Math.exp(-(double) x);
        return 1f / (1f + e);
    }
}
