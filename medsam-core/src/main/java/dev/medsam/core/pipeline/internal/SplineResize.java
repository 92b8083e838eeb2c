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
 * <p>Known limit: scipy builds the Gaussian kernel with NumPy's {@code exp}, which on AVX-512 machines is
 * NumPy's own SIMD routine (SVML or Tang's table method), not a correctly rounded exp; it differs from
 * {@link StrictMath#exp} in the last bit for some arguments (for 1537 or 1604 pixels shrunk to 1024, two of the
 * three weights). Such a weight moves a blurred value by about 1e-16 relative, which changes the uint8 result only
 * if a value lands within that distance of an integer; the SciPy-oracle tests include such a size and match.
 * For the common sizes 1200, 1500, 1600, 2048, 4096 the weights are identical.
 */
public final class SplineResize {

    /** The cubic B-spline pole, {@code sqrt(3) - 2}, as scipy writes the literal. */
    static final double POLE = -0.267949192431122706472553658494127633;
    /** scipy's Gaussian truncation, in standard deviations. */
    static final double TRUNCATE = 4.0;

    private SplineResize() {
    }

    /** Output rows per parallel task; neighbouring output rows share input rows, filtered once per task. */
    private static final int ROWS_PER_TASK = 16;

    /**
     * Resizes an 8-bit image to three channels (MedSAM's network input is RGB).
     *
     * @param planes    the image as 3 planes of {@code height * width} unsigned bytes, row-major; or, when
     *                  {@code grey} is true, a single plane standing for three identical channels (MedSAM's
     *                  grey-to-RGB repeat), filtered once instead of three times with the same result
     * @param grey      whether {@code planes} holds one plane repeated to three channels
     * @return 3 planes of {@code outHeight * outWidth} unsigned bytes
     */
    public static byte[][] resize(byte[][] planes, boolean grey, int width, int height, int outWidth,
                                  int outHeight) {
        if (width <= 0 || height <= 0 || outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + width + "x" + height + " -> " + outWidth
                    + "x" + outHeight);
        }
        int stored = planes.length;
        if (stored != (grey ? 1 : 3)) {
            throw new IllegalArgumentException((grey ? "a grey image has 1 plane" : "an RGB image has 3 planes")
                    + ", got " + stored);
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
        // The channel axis (axis 2) is filtered too, pixel by pixel, inside the zoom (see zoomRows).
        AxisPlan rows = AxisPlan.of(height, outHeight, (double) height / outHeight);
        AxisPlan cols = AxisPlan.of(width, outWidth, (double) width / outWidth);
        AxisPlan chans = AxisPlan.of(CHANNELS, CHANNELS, (double) CHANNELS / CHANNELS);
        byte[][] out = new byte[CHANNELS][outWidth * outHeight];
        double lo = min;
        double hi = max;
        double[][] source = grey ? new double[][] {work[0], work[0], work[0]} : work;
        int tasks = (outHeight + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        IntStream.range(0, tasks).parallel().forEach(t -> zoomRows(source, width, rows, cols, chans,
                t * ROWS_PER_TASK, Math.min(outHeight, (t + 1) * ROWS_PER_TASK), lo, hi, out));
        return out;
    }

    /** Channels of the network input. */
    static final int CHANNELS = 3;

    /**
     * Output rows {@code [from, to)} of the zoom, in scipy's summation order. {@code planes} are the three
     * channels after the row and column prefilters; the channel prefilter is applied here, one input row at a
     * time, which gives the values a separate pass would.
     */
    private static void zoomRows(double[][] planes, int width, AxisPlan rows, AxisPlan cols, AxisPlan chans,
                                 int from, int to, double lo, double hi, byte[][] out) {
        int outWidth = cols.size();
        double g = gain();
        double zn1 = StrictMath.pow(POLE, CHANNELS - 1);
        // channel-filtered input rows, by input row index (a few are live at a time)
        java.util.Map<Integer, double[]> filtered = new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<Integer, double[]> eldest) {
                return size() > 8;
            }
        };
        double[] rowTerm = new double[4 * CHANNELS * width];
        double[] q = new double[2 * 16 * CHANNELS];
        int[] ci = cols.indices();
        double[] cw = cols.weights();
        int k00 = chans.index(0, 0), k01 = chans.index(0, 1), k02 = chans.index(0, 2), k03 = chans.index(0, 3);
        int k10 = chans.index(1, 0), k11 = chans.index(1, 1), k12 = chans.index(1, 2), k13 = chans.index(1, 3);
        int k20 = chans.index(2, 0), k21 = chans.index(2, 1), k22 = chans.index(2, 2), k23 = chans.index(2, 3);
        double v00 = chans.weight(0, 0), v01 = chans.weight(0, 1), v02 = chans.weight(0, 2), v03 = chans.weight(0, 3);
        double v10 = chans.weight(1, 0), v11 = chans.weight(1, 1), v12 = chans.weight(1, 2), v13 = chans.weight(1, 3);
        double v20 = chans.weight(2, 0), v21 = chans.weight(2, 1), v22 = chans.weight(2, 2), v23 = chans.weight(2, 3);
        byte[] out0 = out[0];
        byte[] out1 = out[1];
        byte[] out2 = out[2];
        for (int r = from; r < to; r++) {
            // rowTerm[(a * 3 + c) * width + x] = coefficient(input row a, column x, channel c) * wRow[a]
            for (int a = 0; a < 4; a++) {
                double w = rows.weight(r, a);
                int inRow = rows.index(r, a);
                double[] f = filtered.computeIfAbsent(inRow, y -> channelFilteredRow(planes, y, width, g, zn1));
                int dst = a * CHANNELS * width;
                for (int i = 0; i < CHANNELS * width; i++) {
                    rowTerm[dst + i] = f[i] * w;
                }
            }
            int rowOffset = r * outWidth;
            // two output pixels at a time: six independent sums keep the adder busy; each sum still adds its
            // 64 terms in scipy's order
            int j = 0;
            for (; j + 1 < outWidth; j += 2) {
                fillQ(rowTerm, width, ci, cw, j, q, 0);
                fillQ(rowTerm, width, ci, cw, j + 1, q, 16 * CHANNELS);
                double t0 = 0.0;
                double t1 = 0.0;
                double t2 = 0.0;
                double u0 = 0.0;
                double u1 = 0.0;
                double u2 = 0.0;
                for (int qb = 0; qb < 16 * CHANNELS; qb += CHANNELS) {
                    int qc = qb + 16 * CHANNELS;
                    t0 += q[qb + k00] * v00;
                    t1 += q[qb + k10] * v10;
                    t2 += q[qb + k20] * v20;
                    u0 += q[qc + k00] * v00;
                    u1 += q[qc + k10] * v10;
                    u2 += q[qc + k20] * v20;
                    t0 += q[qb + k01] * v01;
                    t1 += q[qb + k11] * v11;
                    t2 += q[qb + k21] * v21;
                    u0 += q[qc + k01] * v01;
                    u1 += q[qc + k11] * v11;
                    u2 += q[qc + k21] * v21;
                    t0 += q[qb + k02] * v02;
                    t1 += q[qb + k12] * v12;
                    t2 += q[qb + k22] * v22;
                    u0 += q[qc + k02] * v02;
                    u1 += q[qc + k12] * v12;
                    u2 += q[qc + k22] * v22;
                    t0 += q[qb + k03] * v03;
                    t1 += q[qb + k13] * v13;
                    t2 += q[qb + k23] * v23;
                    u0 += q[qc + k03] * v03;
                    u1 += q[qc + k13] * v13;
                    u2 += q[qc + k23] * v23;
                }
                out0[rowOffset + j] = toUint8(t0, lo, hi);
                out1[rowOffset + j] = toUint8(t1, lo, hi);
                out2[rowOffset + j] = toUint8(t2, lo, hi);
                out0[rowOffset + j + 1] = toUint8(u0, lo, hi);
                out1[rowOffset + j + 1] = toUint8(u1, lo, hi);
                out2[rowOffset + j + 1] = toUint8(u2, lo, hi);
            }
            for (; j < outWidth; j++) {
                fillQ(rowTerm, width, ci, cw, j, q, 0);
                double t0 = 0.0;
                double t1 = 0.0;
                double t2 = 0.0;
                for (int qb = 0; qb < 16 * CHANNELS; qb += CHANNELS) {
                    t0 += q[qb + k00] * v00;
                    t0 += q[qb + k01] * v01;
                    t0 += q[qb + k02] * v02;
                    t0 += q[qb + k03] * v03;
                    t1 += q[qb + k10] * v10;
                    t1 += q[qb + k11] * v11;
                    t1 += q[qb + k12] * v12;
                    t1 += q[qb + k13] * v13;
                    t2 += q[qb + k20] * v20;
                    t2 += q[qb + k21] * v21;
                    t2 += q[qb + k22] * v22;
                    t2 += q[qb + k23] * v23;
                }
                out0[rowOffset + j] = toUint8(t0, lo, hi);
                out1[rowOffset + j] = toUint8(t1, lo, hi);
                out2[rowOffset + j] = toUint8(t2, lo, hi);
            }
        }
    }

    /**
     * {@code q[off + (a * 4 + b) * 3 + c] = coefficient * wRow[a] * wCol[b]} for output column {@code j}: the
     * first two factors of each term, multiplied left to right as scipy does.
     */
    private static void fillQ(double[] rowTerm, int width, int[] ci, double[] cw, int j, double[] q, int off) {
        int j4 = 4 * j;
        for (int a = 0; a < 4; a++) {
            int base = a * CHANNELS * width;
            for (int b = 0; b < 4; b++) {
                int x = ci[j4 + b];
                double wc = cw[j4 + b];
                int qb = off + (a * 4 + b) * CHANNELS;
                q[qb] = rowTerm[base + x] * wc;
                q[qb + 1] = rowTerm[base + width + x] * wc;
                q[qb + 2] = rowTerm[base + 2 * width + x] * wc;
            }
        }
    }

    /** skimage clips to the input's range; astype(uint8) truncates. */
    private static byte toUint8(double t, double lo, double hi) {
        if (t < lo) {
            t = lo;
        } else if (t > hi) {
            t = hi;
        }
        return (byte) (int) t;
    }

    /**
     * One input row with the channel-axis prefilter applied to every pixel: values laid out channel by channel
     * ({@code [c * width + x]}). The filter of a 3-sample line, written out: scipy's {@code apply_filter} with
     * mode 'mirror' for n = 3.
     */
    static double[] channelFilteredRow(double[][] planes, int y, int width, double gain, double zn1) {
        double z = POLE;
        double denominator = 1 - zn1 * zn1;
        double zz1 = z * z - 1;
        double[] p0 = planes[0];
        double[] p1 = planes[1];
        double[] p2 = planes[2];
        int base = y * width;
        double[] out = new double[CHANNELS * width];
        for (int x = 0; x < width; x++) {
            double c0 = p0[base + x] * gain;
            double c1 = p1[base + x] * gain;
            double c2 = p2[base + x] * gain;
            double s = c0 + zn1 * c2;
            s += z * (c1 + zn1 * c1);
            s /= denominator;
            c0 = s;
            c1 = c1 + z * c0;
            c2 = c2 + z * c1;
            c2 = (z * c1 + c2) * z / zz1;
            c1 = z * (c2 - c1);
            c0 = z * (c1 - c0);
            out[x] = c0;
            out[width + x] = c1;
            out[2 * width + x] = c2;
        }
        return out;
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

    /**
     * Blur along axis 0 (each column is a line), all columns of an output row at once. Per value the arithmetic
     * is scipy's symmetric correlation: {@code in[0] * k[0]}, then {@code += (in[-d] + in[d]) * k[d]} from the
     * outermost tap inwards.
     */
    static void gaussianAxis0(double[] p, int width, int height, double sigma) {
        double[] k = gaussianKernel(sigma);
        int radius = k.length / 2;
        if (radius == 0) {
            return; // a one-tap kernel is [1.0]: x * 1.0 == x
        }
        double[] src = p.clone();
        IntStream.range(0, height).parallel().forEach(y -> {
            int out = y * width;
            double centre = k[radius];
            int c = y * width;
            for (int x = 0; x < width; x++) {
                p[out + x] = src[c + x] * centre;
            }
            for (int d = radius; d > 0; d--) {
                int below = mirror(y - d, height) * width;
                int above = mirror(y + d, height) * width;
                double w = k[radius - d];
                for (int x = 0; x < width; x++) {
                    p[out + x] += (src[below + x] + src[above + x]) * w;
                }
            }
        });
    }

    /** Blur along axis 1 (each row is a line), with the row extended by mirroring. */
    static void gaussianAxis1(double[] p, int width, int height, double sigma) {
        double[] k = gaussianKernel(sigma);
        int radius = k.length / 2;
        if (radius == 0) {
            return;
        }
        IntStream.range(0, height).parallel().forEach(y -> {
            int base = y * width;
            double[] ext = new double[width + 2 * radius];
            for (int i = 0; i < ext.length; i++) {
                ext[i] = p[base + mirror(i - radius, width)];
            }
            double centre = k[radius];
            for (int x = 0; x < width; x++) {
                p[base + x] = ext[x + radius] * centre;
            }
            for (int d = radius; d > 0; d--) {
                double w = k[radius - d];
                int lo = radius - d;
                int hi = radius + d;
                for (int x = 0; x < width; x++) {
                    p[base + x] += (ext[lo + x] + ext[hi + x]) * w;
                }
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
