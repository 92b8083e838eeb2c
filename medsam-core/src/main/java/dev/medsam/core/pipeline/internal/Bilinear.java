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
        return resize(in, inW, inW, inH, outW, outH);
    }

    /**
     * Resizes the top-left {@code inW x inH} part of a row-major plane whose rows are {@code stride} values apart
     * (a crop, without copying it out) to {@code outW x outH}.
     *
     * <p>Separable, and still bit for bit the formula above: the horizontal blends {@code l0x * p(r, x0) +
     * l1x * p(r, x1)} of an output column depend only on the source row r, so each is computed once per source row
     * a output row uses, not once per output row (when enlarging, several output rows share their source rows);
     * the vertical blend of two such rows is then a contiguous loop the JIT vectorises. Java's float arithmetic is
     * IEEE without contraction, so the same products and sums in the same order give the same floats.
     *
     * @throws IllegalArgumentException if a size is not positive, {@code stride < inW} or the plane is too short
     */
    public static float[] resize(float[] in, int stride, int inW, int inH, int outW, int outH) {
        if (inW <= 0 || inH <= 0 || outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + inW + "x" + inH + " to " + outW + "x"
                    + outH);
        }
        if (stride < inW || in.length < (long) (inH - 1) * stride + inW) {
            throw new IllegalArgumentException("a " + inW + "x" + inH + " plane with rows " + stride
                    + " values apart does not fit in " + in.length + " values");
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
        // horizontal blends of the source rows in use, each row computed on first use (rows are used in order)
        float[][] rows = new float[inH][];
        float[] out = new float[outW * outH];
        for (int y = 0; y < outH; y++) {
            float[] top = blendedRow(rows, in, stride, y0[y], x0, x1, lx0, lx1);
            float[] bottom = blendedRow(rows, in, stride, y1[y], x0, x1, lx0, lx1);
            float a0 = ly0[y];
            float a1 = ly1[y];
            int o = y * outW;
            for (int x = 0; x < outW; x++) {
                out[o + x] = a0 * top[x] + a1 * bottom[x];
            }
            // rows above the next output row's first source row are not needed again: let them go
            if (y + 1 < outH) {
                for (int r = y0[y]; r < y0[y + 1]; r++) {
                    rows[r] = null;
                }
            }
        }
        return out;
    }

    private static float[] blendedRow(float[][] rows, float[] in, int stride, int r, int[] x0, int[] x1, float[] lx0,
                                      float[] lx1) {
        float[] row = rows[r];
        if (row == null) {
            int base = r * stride;
            row = new float[x0.length];
            for (int x = 0; x < row.length; x++) {
                row[x] = lx0[x] * in[base + x0[x]] + lx1[x] * in[base + x1[x]];
            }
            rows[r] = row;
        }
        return row;
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
