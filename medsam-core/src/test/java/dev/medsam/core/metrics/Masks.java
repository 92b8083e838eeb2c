package dev.medsam.core.metrics;

/** Test masks made from formulas. */
final class Masks {

    private Masks() {
    }

    /**
     * Label 1 where {@code sum_a r2[a] * (i_a - c[a])^2 <= d}, in integers so that every language draws the same
     * voxels (the reference values in the tests were computed on exactly these masks).
     */
    static int[] ellipsoid(int[] dims, int[] c, int[] r2, long d) {
        int n = 1;
        for (int v : dims) {
            n *= v;
        }
        int[] out = new int[n];
        int[] idx = new int[dims.length];
        for (int i = 0; i < n; i++) {
            int rest = i;
            long s = 0;
            for (int a = 0; a < dims.length; a++) {
                idx[a] = rest % dims[a];
                rest /= dims[a];
                long t = idx[a] - c[a];
                s += r2[a] * t * t;
            }
            out[i] = s <= d ? 1 : 0;
        }
        return out;
    }

    /** Label {@code label} in the box {@code from..to} (inclusive) of a grid of {@code dims}. */
    static int[] box(int[] dims, int[] from, int[] to, int label) {
        int n = 1;
        for (int v : dims) {
            n *= v;
        }
        int[] out = new int[n];
        fillBox(out, dims, from, to, label);
        return out;
    }

    static void fillBox(int[] out, int[] dims, int[] from, int[] to, int label) {
        for (int i = 0; i < out.length; i++) {
            int rest = i;
            boolean inside = true;
            for (int a = 0; a < dims.length; a++) {
                int v = rest % dims[a];
                rest /= dims[a];
                inside &= v >= from[a] && v <= to[a];
            }
            if (inside) {
                out[i] = label;
            }
        }
    }
}
