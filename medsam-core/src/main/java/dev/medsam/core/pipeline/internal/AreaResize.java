package dev.medsam.core.pipeline.internal;

/**
 * OpenCV's {@code cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)} on 8-bit interleaved images, bit for
 * bit, which is what LiteMedSAM's {@code resize_longest_side} runs (checked against OpenCV 4.6). OpenCV takes one of three routes, and each rounds differently:
 *
 * <ul>
 *   <li>both factors whole numbers ({@code src / dst} exactly): block averages, {@code (sum + 2) >> 2} for a 2x2
 *       block, otherwise {@code sum * (1f / area)} rounded half to even;</li>
 *   <li>shrinking by other factors: float area weights per source row and column (computed in double, stored
 *       as float), accumulated in float in OpenCV's order, rounded half to even;</li>
 *   <li>enlarging (either factor below 1): bilinear interpolation with area-style phases, 11-bit fixed-point
 *       weights, and a vertical pass that drops 4 bits before a 16-bit high multiply and rounds by 2 bits.</li>
 * </ul>
 *
 * <p>Same size returns a copy. Stateless and thread-safe.
 */
public final class AreaResize {

    /** INTER_RESIZE_COEF_BITS: fixed-point bits of the bilinear weights. */
    private static final int COEF_BITS = 11;
    private static final int COEF_SCALE = 1 << COEF_BITS;

    private AreaResize() {
    }

    /**
     * Resizes an interleaved 8-bit image.
     *
     * @param in       {@code inH * inW * channels} samples, row-major, channels interleaved
     * @param channels samples per pixel (1 to 4)
     * @return {@code outH * outW * channels} samples, a new array
     * @throws IllegalArgumentException if a size is not positive or {@code in} has the wrong length
     */
    public static byte[] resize(byte[] in, int inW, int inH, int channels, int outW, int outH) {
        if (inW <= 0 || inH <= 0 || outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + inW + "x" + inH + " -> " + outW + "x"
                    + outH);
        }
        if (channels < 1 || channels > 4) {
            throw new IllegalArgumentException("channels must be 1 to 4, got " + channels);
        }
        if ((long) inW * inH * channels != in.length) {
            throw new IllegalArgumentException("image of " + inW + "x" + inH + "x" + channels + " needs "
                    + (long) inW * inH * channels + " samples, got " + in.length);
        }
        if ((long) outW * outH * channels > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("output " + outW + "x" + outH + "x" + channels + " is too large");
        }
        if (inW == outW && inH == outH) {
            return in.clone();
        }
        double invScaleX = (double) outW / inW;
        double invScaleY = (double) outH / inH;
        double scaleX = 1.0 / invScaleX;
        double scaleY = 1.0 / invScaleY;
        if (scaleX >= 1 && scaleY >= 1) {
            int iscaleX = (int) Math.rint(scaleX);
            int iscaleY = (int) Math.rint(scaleY);
            boolean whole = Math.abs(scaleX - iscaleX) < Math.ulp(1.0) && Math.abs(scaleY - iscaleY) < Math.ulp(1.0);
            if (whole) {
                return blocks(in, inW, channels, outW, outH, iscaleX, iscaleY);
            }
            return area(in, inW, inH, channels, outW, outH, scaleX, scaleY);
        }
        return enlarge(in, inW, inH, channels, outW, outH, scaleX, scaleY, invScaleX, invScaleY);
    }

    // ------------------------------------------------------------------ whole factors (resizeAreaFast)

    private static byte[] blocks(byte[] in, int inW, int cn, int outW, int outH, int sx, int sy) {
        byte[] out = new byte[outW * outH * cn];
        int rowLen = inW * cn;
        boolean twoByTwo = sx == 2 && sy == 2 && cn != 2; // OpenCV's vector path: cn 1, 3 and 4
        int area = sx * sy;
        float scale = 1f / area;
        for (int y = 0; y < outH; y++) {
            int row0 = y * sy * rowLen;
            for (int x = 0; x < outW; x++) {
                for (int c = 0; c < cn; c++) {
                    int base = row0 + x * sx * cn + c;
                    int sum = 0;
                    for (int dy = 0; dy < sy; dy++) {
                        for (int dx = 0; dx < sx; dx++) {
                            sum += in[base + dy * rowLen + dx * cn] & 0xFF;
                        }
                    }
                    int v = twoByTwo ? (sum + 2) >> 2 : roundHalfEven(sum * scale);
                    out[(y * outW + x) * cn + c] = saturate(v);
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ other shrinking factors (resizeArea)

    /** One term of OpenCV's DecimateAlpha table: destination index, source index, weight. */
    private record Tab(int[] di, int[] si, float[] alpha, int size) {
    }

    /** computeResizeAreaTab: for each destination cell, the source cells it covers and their float weights. */
    private static Tab areaTab(int ssize, int dsize, int cn, double scale) {
        int[] di = new int[ssize * 2 + 2];
        int[] si = new int[ssize * 2 + 2];
        float[] alpha = new float[ssize * 2 + 2];
        int k = 0;
        for (int dx = 0; dx < dsize; dx++) {
            double fsx1 = dx * scale;
            double fsx2 = fsx1 + scale;
            double cellWidth = Math.min(scale, ssize - fsx1);
            int sx1 = (int) Math.ceil(fsx1);
            int sx2 = (int) Math.floor(fsx2);
            sx2 = Math.min(sx2, ssize - 1);
            sx1 = Math.min(sx1, sx2);
            if (sx1 - fsx1 > 1e-3) {
                di[k] = dx * cn;
                si[k] = (sx1 - 1) * cn;
                alpha[k++] = (float) ((sx1 - fsx1) / cellWidth);
            }
            for (int sx = sx1; sx < sx2; sx++) {
                di[k] = dx * cn;
                si[k] = sx * cn;
                alpha[k++] = (float) (1.0 / cellWidth);
            }
            if (fsx2 - sx2 > 1e-3) {
                di[k] = dx * cn;
                si[k] = sx2 * cn;
                alpha[k++] = (float) (Math.min(Math.min(fsx2 - sx2, 1.0), cellWidth) / cellWidth);
            }
        }
        return new Tab(di, si, alpha, k);
    }

    private static byte[] area(byte[] in, int inW, int inH, int cn, int outW, int outH, double scaleX,
                               double scaleY) {
        Tab xtab = areaTab(inW, outW, cn, scaleX);
        Tab ytab = areaTab(inH, outH, 1, scaleY);
        int width = outW * cn;
        int rowLen = inW * cn;
        byte[] out = new byte[outH * width];
        float[] buf = new float[width];
        float[] sum = new float[width];
        int prevDy = ytab.di[0];
        for (int j = 0; j < ytab.size; j++) {
            float beta = ytab.alpha[j];
            int dy = ytab.di[j];
            int srow = ytab.si[j] * rowLen;
            java.util.Arrays.fill(buf, 0f);
            // One channel at a time, as OpenCV's cn-specialised loops: buf[d + c] += S[s + c] * alpha.
            for (int k = 0; k < xtab.size; k++) {
                int d = xtab.di[k];
                int s = srow + xtab.si[k];
                float a = xtab.alpha[k];
                for (int c = 0; c < cn; c++) {
                    buf[d + c] = buf[d + c] + (in[s + c] & 0xFF) * a;
                }
            }
            if (dy != prevDy) {
                int o = prevDy * width;
                for (int x = 0; x < width; x++) {
                    out[o + x] = saturate(roundHalfEven(sum[x]));
                    sum[x] = beta * buf[x];
                }
                prevDy = dy;
            } else {
                for (int x = 0; x < width; x++) {
                    sum[x] = sum[x] + beta * buf[x];
                }
            }
        }
        int o = prevDy * width;
        for (int x = 0; x < width; x++) {
            out[o + x] = saturate(roundHalfEven(sum[x]));
        }
        return out;
    }

    // ------------------------------------------------------------------ enlarging (resizeGeneric, area mode)

    private static byte[] enlarge(byte[] in, int inW, int inH, int cn, int outW, int outH, double scaleX,
                                  double scaleY, double invScaleX, double invScaleY) {
        int width = outW * cn;
        int[] xofs = new int[width];
        int[] ialpha = new int[width * 2];
        int xmax = outW;
        for (int dx = 0; dx < outW; dx++) {
            int sx = (int) Math.floor(dx * scaleX);
            float fx = (float) ((dx + 1) - (sx + 1) * invScaleX);
            fx = fx <= 0 ? 0f : fx - (float) Math.floor(fx);
            if (sx < 0) {
                fx = 0;
                sx = 0;
            }
            if (sx + 1 >= inW) {
                xmax = Math.min(xmax, dx);
                if (sx >= inW - 1) {
                    fx = 0;
                    sx = inW - 1;
                }
            }
            short a0 = saturateShort(roundHalfEven((1f - fx) * COEF_SCALE));
            short a1 = saturateShort(roundHalfEven(fx * COEF_SCALE));
            for (int c = 0; c < cn; c++) {
                xofs[dx * cn + c] = sx * cn + c;
                ialpha[(dx * cn + c) * 2] = a0;
                ialpha[(dx * cn + c) * 2 + 1] = a1;
            }
        }
        xmax *= cn;

        int rowLen = inW * cn;
        // Horizontal pass per source row, exact integers (OpenCV's vector and scalar code agree here).
        int[][] rows = new int[inH][];
        byte[] out = new byte[outH * width];
        for (int dy = 0; dy < outH; dy++) {
            int sy = (int) Math.floor(dy * scaleY);
            float fy = (float) ((dy + 1) - (sy + 1) * invScaleY);
            fy = fy <= 0 ? 0f : fy - (float) Math.floor(fy);
            short b0 = saturateShort(roundHalfEven((1f - fy) * COEF_SCALE));
            short b1 = saturateShort(roundHalfEven(fy * COEF_SCALE));
            int r0 = clamp(sy, inH);
            int r1 = clamp(sy + 1, inH);
            int[] s0 = horizontal(rows, r0, in, rowLen, cn, width, xofs, ialpha, xmax);
            int[] s1 = horizontal(rows, r1, in, rowLen, cn, width, xofs, ialpha, xmax);
            vertical(s0, s1, b0, b1, out, dy * width, width);
        }
        return out;
    }

    private static int[] horizontal(int[][] rows, int r, byte[] in, int rowLen, int cn, int width, int[] xofs,
                                    int[] ialpha, int xmax) {
        if (rows[r] != null) {
            return rows[r];
        }
        int[] d = new int[width];
        int base = r * rowLen;
        for (int x = 0; x < width; x++) {
            int sx = xofs[x];
            if (x < xmax) {
                d[x] = (in[base + sx] & 0xFF) * ialpha[x * 2] + (in[base + sx + cn] & 0xFF) * ialpha[x * 2 + 1];
            } else {
                d[x] = (in[base + sx] & 0xFF) * COEF_SCALE;
            }
        }
        rows[r] = d;
        return d;
    }

    /**
     * VResizeLinear for 8 bits. OpenCV's SIMD loop and its scalar specialisation for the remainder compute the
     * same thing: each 22-bit row value loses 4 bits, is multiplied by the 11-bit weight keeping the high 16
     * bits, and the sum is rounded by 2 bits (not the exact 22-bit rounding of the generic template).
     */
    private static void vertical(int[] s0, int[] s1, short b0, short b1, byte[] out, int o, int width) {
        for (int x = 0; x < width; x++) {
            out[o + x] = simdLane(s0[x], s1[x], b0, b1);
        }
    }

    /** One lane of v_rshr_pack_u<2>(v_mul_hi(pack(S0 >> 4), b0) + v_mul_hi(pack(S1 >> 4), b1)). */
    private static byte simdLane(int s0, int s1, short b0, short b1) {
        int p0 = saturateShort(s0 >> 4);
        int p1 = saturateShort(s1 >> 4);
        int sum = (short) (((p0 * b0) >> 16) + ((p1 * b1) >> 16)); // 16-bit lane add wraps
        return saturate((sum + 2) >> 2);
    }

    // ------------------------------------------------------------------ helpers

    private static int clamp(int v, int n) {
        return v < 0 ? 0 : Math.min(v, n - 1);
    }

    /** cvRound of a float: nearest, ties to even (the SSE conversion in the default rounding mode). */
    private static int roundHalfEven(float v) {
        return (int) Math.rint(v);
    }

    private static byte saturate(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static short saturateShort(int v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }
}
