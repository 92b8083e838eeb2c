package dev.medsam.core.metrics.internal;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DistanceTransformTest {

    /** A grid with features and a spacing, for the property. */
    record Case(int[] dims, double[] spacing, byte[] feature) {
        @Override
        public String toString() {
            return "dims " + Arrays.toString(dims) + " spacing " + Arrays.toString(spacing) + " features " + Arrays.toString(feature);
        }
    }

    @Provide
    Arbitrary<Case> grids() {
        Arbitrary<int[]> dims = Arbitraries.integers().between(1, 3).flatMap(rank ->
                Arbitraries.integers().between(1, 9).array(int[].class).ofSize(rank));
        return Combinators.combine(dims, Arbitraries.longs(), Arbitraries.integers().between(1, 60)).as((d, seed, density) -> {
            Random random = new Random(seed);
            int n = Arrays.stream(d).reduce(1, (a, b) -> a * b);
            byte[] f = new byte[n];
            for (int i = 0; i < n; i++) {
                f[i] = (byte) (random.nextInt(100) < density ? 1 : 0);
            }
            double[] s = new double[d.length];
            for (int a = 0; a < s.length; a++) {
                s[a] = 0.2 + 3 * random.nextDouble();
            }
            return new Case(d, s, f);
        });
    }

    @Property(tries = 300)
    void equalsBruteForce(@ForAll("grids") Case c) {
        double[] out = new double[c.feature.length];
        DistanceTransform.squaredDistances(c.feature, c.dims, c.spacing, out);
        double[] expected = bruteForce(c.dims, c.spacing, c.feature);
        for (int i = 0; i < out.length; i++) {
            if (Double.isInfinite(expected[i])) {
                assertEquals(Double.POSITIVE_INFINITY, out[i], "point " + i);
            } else {
                assertEquals(expected[i], out[i], 1e-9 * Math.max(1, expected[i]), "point " + i);
            }
        }
    }

    private static int[] coords(int index, int[] dims) {
        int[] c = new int[dims.length];
        for (int a = 0; a < dims.length; a++) {
            c[a] = index % dims[a];
            index /= dims[a];
        }
        return c;
    }

    private static double[] bruteForce(int[] dims, double[] spacing, byte[] feature) {
        double[] out = new double[feature.length];
        for (int p = 0; p < out.length; p++) {
            int[] cp = coords(p, dims);
            double best = Double.POSITIVE_INFINITY;
            for (int q = 0; q < feature.length; q++) {
                if (feature[q] == 0) {
                    continue;
                }
                int[] cq = coords(q, dims);
                double d = 0;
                for (int a = 0; a < dims.length; a++) {
                    double t = (cp[a] - cq[a]) * spacing[a];
                    d += t * t;
                }
                best = Math.min(best, d);
            }
            out[p] = best;
        }
        return out;
    }

    @Test
    void singleFeatureGivesAnisotropicDistances() {
        int[] dims = {5, 4, 3};
        byte[] f = new byte[60];
        f[0] = 1;
        double[] out = new double[60];
        DistanceTransform.squaredDistances(f, dims, new double[] {0.8, 0.8, 2.5}, out);
        // Voxel (4, 3, 2): (4*0.8)^2 + (3*0.8)^2 + (2*2.5)^2.
        assertEquals(3.2 * 3.2 + 2.4 * 2.4 + 25, out[4 + 5 * (3 + 4 * 2)], 1e-12);
        assertEquals(0, out[0]);
    }

    @Test
    void withoutFeaturesEverythingIsInfinitelyFar() {
        double[] out = new double[12];
        DistanceTransform.squaredDistances(new byte[12], new int[] {3, 4}, new double[] {1, 1}, out);
        for (double v : out) {
            assertEquals(Double.POSITIVE_INFINITY, v);
        }
    }

    @Test
    void exactDistancesForTolerances() {
        // The value must be the same floating-point number as (d * s)^2 summed per axis, so that a distance
        // equal to a tolerance compares equal: 3 steps of 0.1 mm along y is sqrt(fl(0.3...)^2).
        int[] dims = {1, 4};
        byte[] f = {1, 0, 0, 0};
        double[] out = new double[4];
        DistanceTransform.squaredDistances(f, dims, new double[] {5, 0.1}, out);
        double t = 3 * 0.1;
        assertEquals(t * t, out[3], 0.0);
    }

    @Test
    void mismatchedSizesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> DistanceTransform.squaredDistances(new byte[5], new int[] {2, 3}, new double[] {1, 1}, new double[6]));
        assertThrows(IllegalArgumentException.class,
                () -> DistanceTransform.squaredDistances(new byte[6], new int[] {2, 3}, new double[] {1}, new double[6]));
        assertThrows(IllegalArgumentException.class,
                () -> DistanceTransform.squaredDistances(new byte[6], new int[] {2, 3}, new double[] {1, -1}, new double[6]));
    }
}
