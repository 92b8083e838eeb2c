package dev.medsam.core.metrics.internal;

import java.util.Arrays;

/**
 * Exact Euclidean distance transform on a 1D, 2D or 3D grid with anisotropic spacing: for every grid point,
 * the squared distance in mm to the nearest feature point (what {@code scipy.ndimage.distance_transform_edt}
 * gives for the complement of the features with {@code sampling=spacing}, squared).
 *
 * <p>Separable, after Felzenszwalb and Huttenlocher ("Distance transforms of sampled functions", 2012): the
 * first axis is a 1D scan to the nearest feature, each further axis takes the lower envelope of the parabolas
 * {@code f(q) + ((p - q) * spacing)^2}. Linear time per axis, no recursion, one scratch line per axis.
 *
 * <p>The value for a point is summed as {@code (dx sx)^2 + (dy sy)^2 + (dz sz)^2} in that order, each term as
 * {@code t * t} with {@code t = d * s}: the same floating-point operations scipy uses on the nearest feature
 * found, so that distances compared against a tolerance agree with the reference to the last bit whenever
 * the nearest feature is unique.
 */
public final class DistanceTransform {

    private DistanceTransform() {
    }

    /**
     * Squared distances in mm^2 from every point of the grid to the nearest point with {@code feature[i] != 0}.
     * When there is no feature, every value is {@code +Infinity}.
     *
     * @param feature flat grid, first axis fastest; non-zero marks a feature point
     * @param dims    grid size per axis, fastest first (1 to 3 axes)
     * @param spacing mm per step along each axis
     * @param out     receives the squared distances; length at least the grid size
     */
    public static void squaredDistances(byte[] feature, int[] dims, double[] spacing, double[] out) {
        int rank = dims.length;
        if (rank < 1 || rank > 3 || spacing.length != rank) {
            throw new IllegalArgumentException("distance transform needs 1..3 axes with one spacing each, got dims "
                    + Arrays.toString(dims) + " and spacing " + Arrays.toString(spacing));
        }
        NeighbourhoodAreas.checkSpacing(spacing, rank);
        long size = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("grid dims must be positive, got " + Arrays.toString(dims));
            }
            size *= d;
        }
        if (size != feature.length || out.length < size) {
            throw new IllegalArgumentException("grid " + Arrays.toString(dims) + " has " + size + " points; feature has "
                    + feature.length + ", out " + out.length);
        }
        int n0 = dims[0];
        int lines0 = (int) (size / n0);
        scanFirstAxis(feature, n0, lines0, spacing[0], out);
        int maxDim = 0;
        for (int d : dims) {
            maxDim = Math.max(maxDim, d);
        }
        Envelope env = new Envelope(maxDim);
        int stride = n0;
        for (int axis = 1; axis < rank; axis++) {
            int n = dims[axis];
            int outer = (int) (size / ((long) stride * n));
            for (int o = 0; o < outer; o++) {
                int base0 = o * stride * n;
                // Neighbouring lines together: their points are adjacent in memory, the line's are a stride apart.
                for (int inner = 0; inner < stride; inner += BLOCK) {
                    env.transform(out, base0 + inner, stride, n, Math.min(BLOCK, stride - inner), spacing[axis]);
                }
            }
            stride *= n;
        }
    }

    /** Lines transformed together along the strided axes (16 doubles: two cache lines per point). */
    private static final int BLOCK = 16;

    /** Along the first axis, each point's squared distance to the nearest feature on its own line. */
    private static void scanFirstAxis(byte[] feature, int n, int lines, double s, double[] out) {
        for (int line = 0; line < lines; line++) {
            int base = line * n;
            // Forward: distance (in steps) to the nearest feature at or before p; then backward for after p.
            int last = -1;
            for (int p = 0; p < n; p++) {
                if (feature[base + p] != 0) {
                    last = p;
                }
                out[base + p] = last < 0 ? Double.POSITIVE_INFINITY : p - last;
            }
            int next = -1;
            for (int p = n - 1; p >= 0; p--) {
                if (feature[base + p] != 0) {
                    next = p;
                }
                double steps = out[base + p];
                if (next >= 0 && next - p < steps) {
                    steps = next - p;
                }
                if (steps == Double.POSITIVE_INFINITY) {
                    out[base + p] = steps;
                } else {
                    double t = steps * s;
                    out[base + p] = t * t;
                }
            }
        }
    }

    /** Scratch for the lower envelopes of a block of lines; reused across blocks. */
    private static final class Envelope {
        private final double[] lines;
        private final double[] f;
        private final int[] v;
        private final double[] z;

        Envelope(int maxLength) {
            lines = new double[BLOCK * maxLength];
            f = new double[maxLength];
            v = new int[maxLength];
            z = new double[maxLength + 1];
        }

        /**
         * Replaces, for {@code width} neighbouring lines starting at {@code base}, the {@code n} values at
         * {@code line + p * stride} by min over q of f(q) + ((p - q) s)^2.
         */
        void transform(double[] data, int base, int stride, int n, int width, double s) {
            for (int p = 0; p < n; p++) {
                int at = base + p * stride;
                for (int w = 0; w < width; w++) {
                    lines[w * n + p] = data[at + w];
                }
            }
            for (int w = 0; w < width; w++) {
                line(w * n, n, s);
            }
            for (int p = 0; p < n; p++) {
                int at = base + p * stride;
                for (int w = 0; w < width; w++) {
                    data[at + w] = lines[w * n + p];
                }
            }
        }

        /** One line of {@code lines} from {@code offset}, in place. */
        private void line(int offset, int n, double s) {
            System.arraycopy(lines, offset, f, 0, n);
            double w = s * s;
            int k = -1;
            for (int q = 0; q < n; q++) {
                double fq = f[q];
                if (fq == Double.POSITIVE_INFINITY) {
                    continue;
                }
                double cut = Double.NEGATIVE_INFINITY;
                while (k >= 0) {
                    int vk = v[k];
                    // Where the parabola of q starts to lie below that of v[k].
                    cut = ((fq + w * q * q) - (f[vk] + w * vk * vk)) / (2 * w * (q - vk));
                    if (cut <= z[k]) {
                        k--;
                        cut = Double.NEGATIVE_INFINITY;
                    } else {
                        break;
                    }
                }
                k++;
                v[k] = q;
                z[k] = cut;
                z[k + 1] = Double.POSITIVE_INFINITY;
            }
            if (k < 0) {
                // No finite value on this line: it stays infinite.
                return;
            }
            int j = 0;
            for (int p = 0; p < n; p++) {
                while (z[j + 1] < p) {
                    j++;
                }
                double t = (p - v[j]) * s;
                lines[offset + p] = t * t + f[v[j]];
            }
        }
    }
}
