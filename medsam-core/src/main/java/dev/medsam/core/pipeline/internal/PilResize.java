package dev.medsam.core.pipeline.internal;

/**
 * Pillow's {@code Image.resize(size, BILINEAR)} on 8-bit planes, which is what Segment Anything's
 * {@code ResizeLongestSide.apply_image} runs (torchvision's {@code resize} of a PIL image). Pillow resamples
 * horizontally first into an 8-bit intermediate, then vertically. Each output sample is a normalised
 * triangle-filter average whose support widens with the reduction factor (so shrinking is anti-aliased), with
 * the weights in 22-bit fixed point and rounding to nearest.
 */
public final class PilResize {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {
    }

    /** Resizes one row-major 8-bit plane. */
    public static byte[] resize(byte[] in, int inW, int inH, int outW, int outH) {
        byte[] current = in;
        int curW = inW;
        if (outW != inW) {
            Coefficients c = Coefficients.of(inW, outW);
            byte[] tmp = new byte[outW * inH];
            for (int y = 0; y < inH; y++) {
                int rowIn = y * inW;
                int rowOut = y * outW;
                for (int x = 0; x < outW; x++) {
                    int min = c.min[x];
                    int n = c.count[x];
                    int k = x * c.ksize;
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int i = 0; i < n; i++) {
                        ss += (in[rowIn + min + i] & 0xFF) * c.weights[k + i];
                    }
                    tmp[rowOut + x] = clip8(ss);
                }
            }
            current = tmp;
            curW = outW;
        }
        if (outH != inH) {
            Coefficients c = Coefficients.of(inH, outH);
            byte[] out = new byte[curW * outH];
            for (int y = 0; y < outH; y++) {
                int min = c.min[y];
                int n = c.count[y];
                int k = y * c.ksize;
                for (int x = 0; x < curW; x++) {
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int i = 0; i < n; i++) {
                        ss += (current[(min + i) * curW + x] & 0xFF) * c.weights[k + i];
                    }
                    out[y * curW + x] = clip8(ss);
                }
            }
            current = out;
        }
        return current == in ? in.clone() : current;
    }

    private static byte clip8(int v) {
        if (v >= 1 << PRECISION_BITS << 8) {
            return (byte) 255;
        }
        if (v <= 0) {
            return 0;
        }
        return (byte) (v >> PRECISION_BITS);
    }

    private static double triangle(double x) {
        if (x < 0.0) {
            x = -x;
        }
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /** Per output sample: first input index, number of taps, and fixed-point weights. */
    private record Coefficients(int ksize, int[] min, int[] count, int[] weights) {

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 1.0 * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] mins = new int[outSize];
            int[] counts = new int[outSize];
            int[] w = new int[outSize * ksize];
            double[] k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double v = triangle((x + xmin - center + 0.5) * ss);
                    k[x] = v;
                    ww += v;
                }
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? k[x] / ww : k[x];
                    w[xx * ksize + x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
                }
                mins[xx] = xmin;
                counts[xx] = xmax;
            }
            return new Coefficients(ksize, mins, counts, w);
        }
    }
}
