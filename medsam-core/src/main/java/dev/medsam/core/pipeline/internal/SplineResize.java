package dev.medsam.core.pipeline.internal;

import java.util.stream.IntStream;

/**
 * MedSAM's image resize, bit for bit: {@code skimage.transform.resize(img, (outH, outW), order=3,
 * preserve_range=True, anti_aliasing=True).astype(np.uint8)} with skimage 0.19.3 and scipy 1.10, on an 8-bit
 * {@code H x W x C} image.
 *
 * <p>What skimage does, and what this class repeats operation for operation (the uint8 truncation at the end
 * turns a last-bit difference at a value such as {@code 99.99999999999999} into a different pixel, and flat
 * regions produce such values everywhere):
 * <ol>
 *   <li>the image as float64;</li>
 *   <li>when shrinking, a Gaussian blur per axis with {@code sigma = max(0, (in/out - 1) / 2)}
 *       ({@code scipy.ndimage.gaussian_filter}, mode {@code 'mirror'}, truncate 4: kernel radius
 *       {@code int(4 sigma + 0.5)}), axis 0 (rows) then axis 1; the channel axis has sigma 0 and is skipped;</li>
 *   <li>the cubic B-spline prefilter ({@code spline_filter}, mode {@code 'mirror'}) along axis 0, 1 and then 2
 *       (the channel axis too: scipy 1.10 filters every axis longer than one);</li>
 *   <li>{@code scipy.ndimage.zoom(grid_mode=True)}: source coordinate {@code (dst + 0.5) * in/out - 0.5},
 *       mirrored into the image, and the tensor-product sum over the 4 x 4 x C' neighbours in scipy's order
 *       (rows outermost, channels innermost; each term {@code ((c * wRow) * wCol) * wChannel});</li>
 *   <li>clip to the input's own [min, max] and truncate to uint8.</li>
 * </ol>
 * The prefilter passes are separable and run over whole rows at once; the zoom is the only non-separable
 * step (its summation order decides the last bit) and runs in parallel over output rows, which does not
 * change any value.
 *
 * <p>Known limit: scipy builds the Gaussian kernel with NumPy's {@code exp}, which on AVX-512 machines uses
 * its own SIMD routine; it differs from a correctly rounded exp in the last bit for a few percent of
 * arguments. This class uses {@link StrictMath#exp}; for the kernels of the common sizes (1200, 1500, 1600,
 * 2048, 4096 to 1024) the weights are identical.
 */
public final class SplineResize {

    /** The cubic B-spline pole, {@code sqrt(3) - 2}, as scipy writes the literal. */
    static final double POLE = -0.267949192431122706472553658494127633;
    /** scipy's Gaussian truncation, in standard deviations. */
    static final double TRUNCATE = 4.0;

    private SplineResize() {
    }

    /**
     * Resizes an 8-bit image.
     *
     * @param planes     the image as {@code C} planes of {@code height * width} unsigned bytes, row-major; when
     *                   {@code greyTimes > 0} a single plane that stands for {@code greyTimes} identical
     *                   channels (MedSAM's grey-to-RGB repeat), computed once
     * @param greyTimes  0 for {@code planes.length} real channels, else the number of identical channels
     * @return {@code C} planes of {@code outHeight * outWidth} unsigned bytes
     */
    public static byte[][] resize(byte[][] planes, int greyTimes, int width, int height, int outWidth,
                                  int outHeight) {
        if (width <= 0 || height <= 0 || outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + width + "x" + height + " -> " + outWidth
                    + "x" + outHeight);
        }
        int stored = planes.length;
        int channels = greyTimes > 0 ? greyTimes : stored;
        if (greyTimes > 0 && stored != 1) {
            throw new IllegalArgumentException("a repeated grey image has one plane, got " + stored);
        }
        int n = Math.multiplyExact(width, height);
        int min = 255;
        int max = 0;
        double[][] work = new double[stored][];
        for (int c = 0; c < stored; c++) {
            if (planes[c].length != n) {
                throw new IllegalArgumentException("plane " + c + " has " + planes[c].length + " values, expected " + n);
            }
            double[] p = new double[n];
            byte[] src = planes[c];
            for (int i = 0; i < n; i++) {
                int v = src[i] & 0xFF;
                p[i] = v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            work[c] = p;
        }
        // numpy: factors = input_shape / output_shape; sigma = maximum(0, (factors - 1) / 2).
        double sigmaRows = Math.max(0.0, ((double) height / outHeight - 1.0) / 2.0);
        double sigmaCols = Math.max(0.0, ((double) width / outWidth - 1.0) / 2.0);
        for (double[] p : work) {
            if (sigmaRows > 1e-15) {
                gaussianAxis0(p, width, height, sigmaRows);
            }
            if (sigmaCols > 1e-15) {
                gaussianAxis1(p, width, height, sigmaCols);
            }
            splineAxis0(p, width, height);
            splineAxis1(p, width, height);
        }
        double[][] coefficients = greyTimes > 0 ? expandGrey(work[0], channels) : work;
        splineChannels(coefficients);

        double zoomRows = (double) height / outHeight;
        double zoomCols = (double) width / outWidth;
        double zoomChannels = (double) channels / channels;
        AxisPlan rows = AxisPlan.of(height, outHeight, zoomRows);
        AxisPlan cols = AxisPlan.of(width, outWidth, zoomCols);
        AxisPlan chans = AxisPlan.of(channels, channels, zoomChannels);
        byte[][] out = new byte[channels][outWidth * outHeight];
        double lo = min;
        double hi = max;
        IntStream.range(0, outHeight).parallel().forEach(r -> zoomRow(coefficients, width, rows, cols, chans, r,
                lo, hi, out));
        return out;
    }

    private static double[][] expandGrey(double[] plane, int channels) {
        double[][] out = new double[channels][];
        out[0] = plane;
        for (int c = 1; c < channels; c++) {
            out[c] = plane.clone();
        }
        return out;
    }

    /** One output row of the zoom, in scipy's summation order. */
    private static void zoomRow(double[][] coef, int width, AxisPlan rows, AxisPlan cols, AxisPlan chans, int r,
                                double lo, double hi, byte[][] out) {
        int channels = coef.length;
        int outWidth = cols.size();
        // rowTerm[a][c][x] = coefficient(row index a, column x, channel c) * wRow[a]
        double[][][] rowTerm = new double[4][channels][width];
        for (int a = 0; a < 4; a++) {
            double w = rows.weight(r, a);
            int base = rows.index(r, a) * width;
            for (int c = 0; c < channels; c++) {
                double[] src = coef[c];
                double[] dst = rowTerm[a][c];
                for (int x = 0; x < width; x++) {
                    dst[x] = src[base + x] * w;
                }
            }
        }
        double[] q = new double[16 * channels];
        int[] chanIdx = new int[4 * channels];
        double[] chanW = new double[4 * channels];
        for (int k = 0; k < channels; k++) {
            for (int c = 0; c < 4; c++) {
                chanIdx[k * 4 + c] = chans.index(k, c);
                chanW[k * 4 + c] = chans.weight(k, c);
            }
        }
        int rowOffset = r * outWidth;
        for (int j = 0; j < outWidth; j++) {
            for (int a = 0; a < 4; a++) {
                for (int b = 0; b < 4; b++) {
                    int x = cols.index(j, b);
                    double wc = cols.weight(j, b);
                    int qBase = (a * 4 + b) * channels;
                    for (int c = 0; c < channels; c++) {
                        q[qBase + c] = rowTerm[a][c][x] * wc;
                    }
                }
            }
            for (int k = 0; k < channels; k++) {
                int k4 = k * 4;
                int i0 = chanIdx[k4];
                int i1 = chanIdx[k4 + 1];
                int i2 = chanIdx[k4 + 2];
                int i3 = chanIdx[k4 + 3];
                double w0 = chanW[k4];
                double w1 = chanW[k4 + 1];
                double w2 = chanW[k4 + 2];
                double w3 = chanW[k4 + 3];
                double t = 0.0;
                for (int ab = 0; ab < 16; ab++) {
                    int qb = ab * channels;
                    t += q[qb + i0] * w0;
                    t += q[qb + i1] * w1;
                    t += q[qb + i2] * w2;
                    t += q[qb + i3] * w3;
                }
                // skimage clips to the input's range; astype(uint8) truncates.
                if (t < lo) {
                    t = lo;
                } else if (t > hi) {
                    t = hi;
                }
                out[k][rowOffset + j] = (byte) (int) t;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Gaussian blur (scipy.ndimage.gaussian_filter1d, mode 'mirror')

    /** scipy's {@code _gaussian_kernel1d(sigma, 0, radius)}: normalised by NumPy's pairwise sum. */
    static double[] gaussianKernel(double sigma) {
        int radius = (int) (TRUNCATE * sigma + 0.5);
        double sigma2 = sigma * sigma;
        double factor = -0.5 / sigma2;
        double[] phi = new double[2 * radius + 1];
        for (int i = 0; i < phi.length; i++) {
            double x = i - radius;
            phi[i] = StrictMath.exp(factor * (x * x));
        }
        double sum = NumpySum.pairwise(phi, 0, phi.length);
        for (int i = 0; i < phi.length; i++) {
            phi[i] = phi[i] / sum;
        }
        return phi;
    }

    /** Blur along rows' direction (axis 0): each column is a line. */
    static void gaussianAxis0(double[] p, int width, int height, double sigma) {
        double[] k = gaussianKernel(sigma);
        int radius = k.length / 2;
        if (radius == 0) {
            return; // a one-tap kernel is [1.0]: x * 1.0 == x
        }
        double[] src = p.clone();
        IntStream.range(0, height).parallel().forEach(y -> {
            int[] rowsAt = new int[2 * radius + 1];
            for (int d = -radius; d <= radius; d++) {
                rowsAt[d + radius] = mirror(y + d, height) * width;
            }
            int out = y * width;
            double centre = k[radius];
            for (int x = 0; x < width; x++) {
                double t = src[rowsAt[radius] + x] * centre;
                for (int d = -radius; d < 0; d++) {
                    t += (src[rowsAt[d + radius] + x] + src[rowsAt[radius - d] + x]) * k[d + radius];
                }
                p[out + x] = t;
            }
        });
    }

    /** Blur along columns' direction (axis 1): each row is a line. */
    static void gaussianAxis1(double[] p, int width, int height, double sigma) {
        double[] k = gaussianKernel(sigma);
        int radius = k.length / 2;
        if (radius == 0) {
            return;
        }
        int[] at = new int[width + 2 * radius];
        for (int i = 0; i < at.length; i++) {
            at[i] = mirror(i - radius, width);
        }
        IntStream.range(0, height).parallel().forEach(y -> {
            int base = y * width;
            double[] line = new double[width];
            System.arraycopy(p, base, line, 0, width);
            double centre = k[radius];
            for (int x = 0; x < width; x++) {
                double t = line[at[x + radius]] * centre;
                for (int d = -radius; d < 0; d++) {
                    t += (line[at[x + radius + d]] + line[at[x + radius - d]]) * k[d + radius];
                }
                p[base + x] = t;
            }
        });
    }

    /** scipy's 'mirror' extension of an integer index (reflect about the edge samples, no repeat). */
    static int mirror(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * n - 2;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }

    // ---------------------------------------------------------------------------------------------------
    // Cubic B-spline prefilter (scipy.ndimage.spline_filter1d, order 3, mode 'mirror')

    /** scipy's gain for one pole: {@code (1 - z)(1 - 1/z)}, computed as scipy does. */
    static double gain() {
        double g = 1.0;
        g *= (1.0 - POLE) * (1.0 - 1.0 / POLE);
        return g;
    }

    /** Filters every column (axis 0) of a row-major plane, all columns side by side. */
    static void splineAxis0(double[] p, int width, int height) {
        int n = height;
        if (n <= 1) {
            return;
        }
        double z = POLE;
        double g = gain();
        for (int i = 0; i < p.length; i++) {
            p[i] *= g;
        }
        // causal initial coefficient (mirror), for all columns at once
        double zn1 = StrictMath.pow(z, n - 1);
        int last = (n - 1) * width;
        for (int x = 0; x < width; x++) {
            p[x] = p[x] + zn1 * p[last + x];
        }
        double zi = z;
        for (int i = 1; i < n - 1 && zi != 0.0; i++) {
            int a = i * width;
            int b = (n - 1 - i) * width;
            for (int x = 0; x < width; x++) {
                p[x] += zi * (p[a + x] + zn1 * p[b + x]);
            }
            zi *= z;
        }
        double denominator = 1 - zn1 * zn1;
        for (int x = 0; x < width; x++) {
            p[x] /= denominator;
        }
        for (int i = 1; i < n; i++) {
            int cur = i * width;
            int prev = cur - width;
            for (int x = 0; x < width; x++) {
                p[cur + x] += z * p[prev + x];
            }
        }
        int beforeLast = (n - 2) * width;
        double zz1 = z * z - 1;
        for (int x = 0; x < width; x++) {
            p[last + x] = (z * p[beforeLast + x] + p[last + x]) * z / zz1;
        }
        for (int i = n - 2; i >= 0; i--) {
            int cur = i * width;
            int next = cur + width;
            for (int x = 0; x < width; x++) {
                p[cur + x] = z * (p[next + x] - p[cur + x]);
            }
        }
    }

    /** Filters every row (axis 1) of a row-major plane. */
    static void splineAxis1(double[] p, int width, int height) {
        if (width <= 1) {
            return;
        }
        double g = gain();
        double zn1 = StrictMath.pow(POLE, width - 1);
        IntStream.range(0, height).parallel().forEach(y -> filterLine(p, y * width, 1, width, g, zn1));
    }

    /** Filters along the channel axis (axis 2) of every pixel: the planes are the line's samples. */
    static void splineChannels(double[][] planes) {
        int n = planes.length;
        if (n <= 1) {
            return;
        }
        double g = gain();
        double zn1 = StrictMath.pow(POLE, n - 1);
        int size = planes[0].length;
        IntStream.range(0, (size + 4095) / 4096).parallel().forEach(block -> {
            double[] line = new double[n];
            int end = Math.min(size, (block + 1) * 4096);
            for (int i = block * 4096; i < end; i++) {
                for (int c = 0; c < n; c++) {
                    line[c] = planes[c][i];
                }
                filterLine(line, 0, 1, n, g, zn1);
                for (int c = 0; c < n; c++) {
                    planes[c][i] = line[c];
                }
            }
        });
    }

    /** scipy's {@code apply_filter} for one line of {@code n > 1} samples at {@code off + i * stride}. */
    static void filterLine(double[] c, int off, int stride, int n, double gain, double zn1) {
        double z = POLE;
        for (int i = 0; i < n; i++) {
            c[off + i * stride] *= gain;
        }
        int lastAt = off + (n - 1) * stride;
        double c0 = c[off] + zn1 * c[lastAt];
        double zi = z;
        for (int i = 1; i < n - 1 && zi != 0.0; i++) {
            c0 += zi * (c[off + i * stride] + zn1 * c[off + (n - 1 - i) * stride]);
            zi *= z;
        }
        c0 /= 1 - zn1 * zn1;
        c[off] = c0;
        double prev = c0;
        for (int i = 1; i < n; i++) {
            int at = off + i * stride;
            prev = c[at] + z * prev;
            c[at] = prev;
        }
        double next = (z * c[lastAt - stride] + c[lastAt]) * z / (z * z - 1);
        c[lastAt] = next;
        for (int i = n - 2; i >= 0; i--) {
            int at = off + i * stride;
            next = z * (next - c[at]);
            c[at] = next;
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // zoom geometry

    /** scipy's {@code map_coordinate} for mode 'mirror' on a real coordinate. */
    static double mirrorCoordinate(double in, int len) {
        if (in < 0) {
            if (len <= 1) {
                return 0;
            }
            long sz2 = 2L * len - 2;
            in = sz2 * (long) (-in / sz2) + in;
            return in <= 1 - len ? in + sz2 : -in;
        } else if (in > len - 1) {
            if (len <= 1) {
                return 0;
            }
            long sz2 = 2L * len - 2;
            in -= sz2 * (long) (in / sz2);
            if (in >= len) {
                in = sz2 - in;
            }
        }
        return in;
    }

    /** scipy's cubic B-spline interpolation weights at {@code x} (4 values, leftmost neighbour first). */
    static void splineWeights(double x, double[] w, int off) {
        x -= Math.floor(x);
        double y = x;
        double z = 1.0 - x;
        w[off + 1] = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
        w[off + 2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
        w[off] = z * z * z / 6.0;
        double last = 1.0;
        last -= w[off];
        last -= w[off + 1];
        last -= w[off + 2];
        w[off + 3] = last;
    }

    /** For every output index of one axis: the 4 input indices (mirrored at the edges) and their weights. */
    record AxisPlan(int size, int[] indices, double[] weights) {

        static AxisPlan of(int inLength, int outLength, double zoom) {
            int[] idx = new int[4 * outLength];
            double[] w = new double[4 * outLength];
            for (int k = 0; k < outLength; k++) {
                double cc = k;
                cc += 0.5;
                cc *= zoom;
                cc -= 0.5;
                cc = mirrorCoordinate(cc, inLength);
                long start = (long) Math.floor(cc) - 1;
                for (int h = 0; h < 4; h++) {
                    long i = start + h;
                    idx[4 * k + h] = (start < 0 || start + 3 >= inLength) ? mirror((int) i, inLength) : (int) i;
                }
                splineWeights(cc, w, 4 * k);
            }
            return new AxisPlan(outLength, idx, w);
        }

        int index(int k, int h) {
            return indices[4 * k + h];
        }

        double weight(int k, int h) {
            return weights[4 * k + h];
        }
    }
}
