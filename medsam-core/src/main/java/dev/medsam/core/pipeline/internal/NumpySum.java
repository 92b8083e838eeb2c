package dev.medsam.core.pipeline.internal;

/**
 * NumPy's float64 summation order ({@code np.sum} on a contiguous array): below 8 values a plain loop, up to
 * 128 values eight interleaved partial sums combined pairwise, beyond that recursive halves. Needed where the
 * reference normalises by a sum and the last bit matters (the Gaussian kernel).
 */
public final class NumpySum {

    private static final int BLOCK = 128;

    private NumpySum() {
    }

    /** The sum of {@code a[from .. from + n)} in NumPy's order. */
    public static double pairwise(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            double r0 = a[from], r1 = a[from + 1], r2 = a[from + 2], r3 = a[from + 3];
            double r4 = a[from + 4], r5 = a[from + 5], r6 = a[from + 6], r7 = a[from + 7];
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                int at = from + i;
                r0 += a[at];
                r1 += a[at + 1];
                r2 += a[at + 2];
                r3 += a[at + 3];
                r4 += a[at + 4];
                r5 += a[at + 5];
                r6 += a[at + 6];
                r7 += a[at + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        int half = n / 2;
        half -= half % 8;
        return pairwise(a, from, half) + pairwise(a, from + half, n - half);
    }
}
