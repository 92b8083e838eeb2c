package dev.medsam.core.metrics;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentationMetricsTest {

    private static final double[] TOLERANCES = {0.0, 0.5, 1.0, 2.0, 3.0, 5.0};

    /**
     * Values computed with DeepMind's surface-distance library (google-deepmind/surface-distance, metrics.py:
     * compute_dice_coefficient, compute_surface_distances, compute_surface_dice_at_tolerance) on the same masks
     * drawn with numpy, axis 0 = x: DSC, then NSD at {@link #TOLERANCES}; then both total surfaces.
     */
    @Test
    void matchesTheReferenceOnEllipsoids() {
        int[] dims = {40, 36, 20};
        double[] spacing = {0.9, 1.1, 3.0};
        LabelVolume gt = LabelVolume.of(dims, spacing, Masks.ellipsoid(dims, new int[] {18, 17, 9}, new int[] {4, 4, 36}, 900));
        LabelVolume pred = LabelVolume.of(dims, spacing, Masks.ellipsoid(dims, new int[] {20, 16, 10}, new int[] {5, 4, 30}, 1000));
        check(gt, pred, 4631, 5417, new double[] {0.8123009554140127, 0.3644636804015711, 0.3644636804015711,
            0.5081444206320543, 0.6759259347126646, 0.8656592794244616, 0.971366403144396}, 3225.3962187428333, 3569.43134748981);
    }

    @Test
    void matchesTheReferenceOnDisjointThinSlabs() {
        // Tolerances 0.5 and 2.0 fall exactly on distances (1 and 4 voxels of 0.5 mm): "<=" must count them.
        int[] dims = {30, 30, 8};
        double[] spacing = {0.5, 0.5, 4.0};
        LabelVolume gt = LabelVolume.of(dims, spacing, Masks.ellipsoid(dims, new int[] {14, 15, 3}, new int[] {1, 1, 100}, 60));
        LabelVolume pred = LabelVolume.of(dims, spacing, Masks.ellipsoid(dims, new int[] {15, 15, 4}, new int[] {1, 1, 100}, 70));
        check(gt, pred, 185, 221, new double[] {0.0, 0.4161880146636757, 0.4803435283134118, 0.5, 0.5, 0.5, 1.0},
                178.64426742909362, 207.00208412069418);
    }

    @Test
    void matchesTheReferenceOn2dEllipses() {
        int[] dims = {50, 40};
        double[] spacing = {0.7, 1.3};
        LabelVolume gt = LabelVolume.of(dims, spacing, Masks.ellipsoid(dims, new int[] {24, 20}, new int[] {2, 5}, 400));
        LabelVolume pred = LabelVolume.of(dims, spacing, Masks.ellipsoid(dims, new int[] {27, 19}, new int[] {2, 4}, 380));
        check(gt, pred, 393, 417, new double[] {0.8419753086419753, 0.1777586352590506, 0.1777586352590506,
            0.27762868267820984, 0.6809282933044756, 1.0, 1.0}, 71.18853995660685, 73.58853995660685);
    }

    private static void check(LabelVolume gt, LabelVolume pred, long gtVoxels, long predVoxels, double[] expected,
                              double gtSurface, double predSurface) {
        List<LabelScores> scores = SegmentationMetrics.compare(gt, pred, TOLERANCES);
        assertEquals(1, scores.size());
        LabelScores s = scores.get(0);
        assertEquals(1, s.label());
        assertEquals(gtVoxels, s.groundTruthVoxels());
        assertEquals(predVoxels, s.predictionVoxels());
        assertEquals(expected[0], s.dsc(), 1e-12, "dsc");
        for (int t = 0; t < TOLERANCES.length; t++) {
            assertEquals(expected[t + 1], s.nsd(TOLERANCES[t]), 1e-9, "nsd at " + TOLERANCES[t] + " mm");
        }
        SurfaceDistances sd = SurfaceDistances.of(gt, pred, 1);
        assertEquals(gtSurface, sd.groundTruthSurface(), 1e-9 * gtSurface);
        assertEquals(predSurface, sd.predictionSurface(), 1e-9 * predSurface);
        assertEquals(expected[0], SegmentationMetrics.dice(gt, pred, 1), 1e-12);
        assertEquals(expected[4], SegmentationMetrics.surfaceDice(gt, pred, 1, 2.0), 1e-9);
    }

    @Test
    void boxSurfaceIsTheChamferedBoxOfMarchingCubes() {
        // A box of n voxels per axis: faces of (n-1) spacings, edges bevelled by half-voxel diagonals, corner
        // triangles through the half-edges. Exact for the marching-cubes surface the metric uses.
        int[] dims = {12, 14, 11};
        int[] n = {5, 7, 4};
        double[] s = {0.8, 1.1, 2.5};
        LabelVolume v = LabelVolume.of(dims, s, Masks.box(dims, new int[] {2, 3, 4}, new int[] {6, 9, 7}, 1));
        double faces = 2 * ((n[1] - 1) * s[1] * (n[2] - 1) * s[2] + (n[0] - 1) * s[0] * (n[2] - 1) * s[2]
                + (n[0] - 1) * s[0] * (n[1] - 1) * s[1]);
        double edges = 4 * ((n[0] - 1) * s[0] * Math.hypot(s[1] / 2, s[2] / 2) + (n[1] - 1) * s[1] * Math.hypot(s[0] / 2, s[2] / 2)
                + (n[2] - 1) * s[2] * Math.hypot(s[0] / 2, s[1] / 2));
        double corners = Math.sqrt(Math.pow(s[1] * s[2], 2) + Math.pow(s[0] * s[2], 2) + Math.pow(s[0] * s[1], 2));
        SurfaceDistances sd = SurfaceDistances.of(v, v, 1);
        assertEquals(faces + edges + corners, sd.groundTruthSurface(), 1e-9);
        assertEquals(sd.groundTruthSurface(), sd.predictionSurface());
        assertEquals(1.0, sd.surfaceDice(0), 1e-15);
    }

    @Test
    void rectangleContourIsTheBevelledPerimeter() {
        int[] dims = {10, 12};
        double[] s = {0.5, 2.0};
        LabelVolume v = LabelVolume.of(dims, s, Masks.box(dims, new int[] {2, 3}, new int[] {5, 9}, 1));
        double expected = 2 * 3 * s[0] + 2 * 6 * s[1] + 4 * Math.hypot(s[0] / 2, s[1] / 2);
        assertEquals(expected, SurfaceDistances.of(v, v, 1).groundTruthSurface(), 1e-12);
    }

    @Test
    void boxTouchingTheGridEdgeHasItsFullSurface() {
        // The crop pads outside the grid with background: a box filling the grid is closed too.
        int[] dims = {4, 5, 3};
        int[] all = new int[60];
        Arrays.fill(all, 1);
        LabelVolume full = LabelVolume.of(dims, new double[] {1, 1, 1}, all);
        LabelVolume inner = LabelVolume.of(new int[] {8, 9, 7}, new double[] {1, 1, 1},
                Masks.box(new int[] {8, 9, 7}, new int[] {2, 2, 2}, new int[] {5, 6, 4}, 1));
        assertEquals(SurfaceDistances.of(inner, inner, 1).groundTruthSurface(),
                SurfaceDistances.of(full, full, 1).groundTruthSurface(), 1e-12);
    }

    @Test
    void sphereAreaIsCloseToFourPiRSquared() {
        // Marching cubes on a voxelised sphere overestimates the area by a few percent (the reference gives
        // 1.069 x 4 pi r^2 at r = 12 voxels); the bound guards against gross errors, the box test is exact.
        int r = 12;
        int n = 2 * r + 5;
        int[] dims = {n, n, n};
        LabelVolume v = LabelVolume.of(dims, new double[] {1, 1, 1},
                Masks.ellipsoid(dims, new int[] {n / 2, n / 2, n / 2}, new int[] {1, 1, 1}, (long) r * r));
        double ratio = SurfaceDistances.of(v, v, 1).groundTruthSurface() / (4 * Math.PI * r * r);
        assertEquals(1.0690590228304806, ratio, 1e-9);
    }

    @Test
    void diceCountsVoxels() {
        int[] dims = {10, 10, 10};
        double[] s = {1, 1, 2};
        LabelVolume a = LabelVolume.of(dims, s, Masks.box(dims, new int[] {0, 0, 0}, new int[] {3, 3, 3}, 1)); // 64
        LabelVolume b = LabelVolume.of(dims, s, Masks.box(dims, new int[] {2, 0, 0}, new int[] {5, 3, 3}, 1)); // 64, 32 shared
        assertEquals(2.0 * 32 / 128, SegmentationMetrics.dice(a, b, 1), 1e-15);
        assertEquals(1.0, SegmentationMetrics.dice(a, a, 1));
    }

    @Test
    void emptyMasksAreExplicit() {
        int[] dims = {6, 6, 6};
        double[] s = {1, 1, 1};
        LabelVolume empty = LabelVolume.of(dims, s, new int[216]);
        LabelVolume cube = LabelVolume.of(dims, s, Masks.box(dims, new int[] {1, 1, 1}, new int[] {3, 3, 3}, 1));
        assertTrue(Double.isNaN(SegmentationMetrics.dice(empty, empty, 1)));
        assertTrue(Double.isNaN(SegmentationMetrics.surfaceDice(empty, empty, 1, 2)));
        assertEquals(0.0, SegmentationMetrics.dice(cube, empty, 1));
        assertEquals(0.0, SegmentationMetrics.dice(empty, cube, 1));
        assertEquals(0.0, SegmentationMetrics.surfaceDice(cube, empty, 1, 100));
        assertEquals(0.0, SegmentationMetrics.surfaceDice(empty, cube, 1, 100));
        SurfaceDistances none = SurfaceDistances.of(empty, empty, 3);
        assertEquals(0, none.groundTruthSurface());
        assertTrue(Double.isNaN(none.surfaceDice(1)));
        assertTrue(SegmentationMetrics.compare(empty, empty, 2).isEmpty());
    }

    @Test
    void compareScoresEveryLabelOfEitherVolume() {
        int[] dims = {20, 20, 10};
        double[] s = {0.8, 0.8, 2.5};
        int[] g = Masks.box(dims, new int[] {2, 2, 2}, new int[] {8, 8, 6}, 1);
        Masks.fillBox(g, dims, new int[] {12, 12, 2}, new int[] {16, 16, 5}, 2);
        int[] p = Masks.box(dims, new int[] {3, 2, 2}, new int[] {9, 8, 6}, 1);
        Masks.fillBox(p, dims, new int[] {12, 2, 7}, new int[] {14, 4, 8}, 3);
        LabelVolume gt = LabelVolume.of(dims, s, g);
        LabelVolume pred = LabelVolume.of(dims, s, p);
        List<LabelScores> scores = SegmentationMetrics.compare(gt, pred, 1.0, 2.0);
        assertEquals(List.of(1, 2, 3), scores.stream().map(LabelScores::label).toList());
        for (LabelScores sc : scores) {
            assertEquals(SegmentationMetrics.dice(gt, pred, sc.label()), sc.dsc(), 0.0);
            assertEquals(SegmentationMetrics.surfaceDice(gt, pred, sc.label(), 1.0), sc.nsd(1.0), 0.0);
            assertEquals(SegmentationMetrics.surfaceDice(gt, pred, sc.label(), 2.0), sc.nsd(2.0), 0.0);
        }
        assertEquals(0.0, scores.get(1).dsc());
        assertEquals(0.0, scores.get(1).nsd(2.0));
        assertEquals(0L, scores.get(2).groundTruthVoxels());
        assertEquals(18L, scores.get(2).predictionVoxels());
        // A one-voxel shift along x (0.8 mm) is within 1 mm everywhere.
        assertEquals(1.0, scores.get(0).nsd(1.0), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> scores.get(0).nsd(3.0));
    }

    /** Two random blobs shifted against each other, on a random anisotropic grid. */
    record Shifted(int[] dims, double[] spacing, int[] a, int[] b, int[] shift) {
        @Override
        public String toString() {
            return "dims " + Arrays.toString(dims) + " spacing " + Arrays.toString(spacing) + " shift " + Arrays.toString(shift)
                    + " a " + Arrays.toString(a);
        }
    }

    @Provide
    Arbitrary<Shifted> shiftedBlobs() {
        return Combinators.combine(Arbitraries.integers().between(2, 3), Arbitraries.longs()).as((rank, seed) -> {
            Random r = new Random(seed);
            int[] dims = new int[rank];
            int[] shift = new int[rank];
            double[] spacing = new double[rank];
            for (int a = 0; a < rank; a++) {
                dims[a] = 8 + r.nextInt(6);
                shift[a] = r.nextInt(5) - 2;
                spacing[a] = 0.3 + 2.5 * r.nextDouble();
            }
            int n = Arrays.stream(dims).reduce(1, (x, y) -> x * y);
            int[] a = new int[n];
            int[] b = new int[n];
            int[] c = new int[rank];
            for (int i = 0; i < n; i++) {
                int rest = i;
                boolean inner = true;
                for (int ax = 0; ax < rank; ax++) {
                    c[ax] = rest % dims[ax];
                    rest /= dims[ax];
                    // Keep the blob two voxels off every side so that the shifted copy stays on the grid.
                    inner &= c[ax] >= 2 && c[ax] < dims[ax] - 2;
                }
                if (inner && r.nextInt(100) < 55) {
                    a[i] = 1;
                    int j = 0;
                    for (int ax = rank - 1; ax >= 0; ax--) {
                        j = j * dims[ax] + c[ax] + shift[ax];
                    }
                    b[j] = 1;
                }
            }
            return new Shifted(dims, spacing, a, b, shift);
        });
    }

    @Property(tries = 150)
    void aTranslatedMaskIsWithinTheTranslationEverywhere(@ForAll("shiftedBlobs") Shifted s) {
        LabelVolume a = LabelVolume.of(s.dims, s.spacing, s.a);
        LabelVolume b = LabelVolume.of(s.dims, s.spacing, s.b);
        SurfaceDistances sd = SurfaceDistances.of(a, b, 1);
        if (sd.groundTruthSurface() == 0) {
            return; // no voxel drawn
        }
        double length = 0;
        for (int ax = 0; ax < s.dims.length; ax++) {
            length += Math.pow(s.shift[ax] * s.spacing[ax], 2);
        }
        length = Math.sqrt(length);
        assertEquals(1.0, sd.surfaceDice(length * (1 + 1e-12)), 1e-12);
        // Moving a surface does not change its size.
        assertEquals(sd.groundTruthSurface(), sd.predictionSurface(), 1e-9);
        // NSD grows with the tolerance, and does not care which side is the ground truth.
        SurfaceDistances swapped = SurfaceDistances.of(b, a, 1);
        double previous = -1;
        for (double t = 0; t <= length + 0.5; t += 0.25) {
            double v = sd.surfaceDice(t);
            assertTrue(v >= previous && v >= 0 && v <= 1, "NSD " + v + " at " + t);
            assertEquals(v, swapped.surfaceDice(t), 1e-12);
            previous = v;
        }
        assertEquals(SegmentationMetrics.dice(a, b, 1), SegmentationMetrics.dice(b, a, 1), 0.0);
    }

    @Property(tries = 60)
    void axisOrderDoesNotMatter(@ForAll("shiftedBlobs") Shifted s) {
        if (s.dims.length != 3) {
            return;
        }
        // Transpose both masks to (z, y, x) with the spacing reversed: same surfaces, same distances.
        int[] d = s.dims;
        int[] td = {d[2], d[1], d[0]};
        int[] ta = new int[s.a.length];
        int[] tb = new int[s.b.length];
        for (int z = 0; z < d[2]; z++) {
            for (int y = 0; y < d[1]; y++) {
                for (int x = 0; x < d[0]; x++) {
                    int from = x + d[0] * (y + d[1] * z);
                    int to = z + td[0] * (y + td[1] * x);
                    ta[to] = s.a[from];
                    tb[to] = s.b[from];
                }
            }
        }
        double[] ts = {s.spacing[2], s.spacing[1], s.spacing[0]};
        SurfaceDistances one = SurfaceDistances.of(LabelVolume.of(d, s.spacing, s.a), LabelVolume.of(d, s.spacing, s.b), 1);
        SurfaceDistances two = SurfaceDistances.of(LabelVolume.of(td, ts, ta), LabelVolume.of(td, ts, tb), 1);
        assertEquals(one.groundTruthSurface(), two.groundTruthSurface(), 1e-9);
        for (double t : new double[] {0, 0.7, 1.5, 3}) {
            if (Double.isNaN(one.surfaceDice(t))) {
                assertTrue(Double.isNaN(two.surfaceDice(t)));
            } else {
                assertEquals(one.surfaceDice(t), two.surfaceDice(t), 1e-12, "at " + t);
            }
        }
    }

    @Test
    void mismatchedGridsAreRefusedWithBothSides() {
        LabelVolume a = LabelVolume.of(new int[] {4, 4, 4}, new double[] {1, 1, 1}, new int[64]);
        LabelVolume b = LabelVolume.of(new int[] {4, 4, 2}, new double[] {1, 1, 1}, new int[32]);
        LabelVolume c = LabelVolume.of(new int[] {4, 4, 4}, new double[] {1, 1, 1.5}, new int[64]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SegmentationMetrics.compare(a, b, 2));
        assertTrue(e.getMessage().contains("[4, 4, 4]") && e.getMessage().contains("[4, 4, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SegmentationMetrics.dice(a, c, 1));
        assertTrue(e.getMessage().contains("axis 2"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1, Double.NaN, Double.POSITIVE_INFINITY})
    void badTolerancesAreRefused(double tolerance) {
        LabelVolume a = LabelVolume.of(new int[] {4, 4}, new double[] {1, 1}, new int[16]);
        assertThrows(IllegalArgumentException.class, () -> SegmentationMetrics.compare(a, a, tolerance));
        assertThrows(IllegalArgumentException.class, () -> SegmentationMetrics.surfaceDice(a, a, 1, tolerance));
    }

    @Test
    void labelsMustBePositiveAndTolerancesGiven() {
        LabelVolume a = LabelVolume.of(new int[] {4, 4}, new double[] {1, 1}, new int[16]);
        assertThrows(IllegalArgumentException.class, () -> SegmentationMetrics.dice(a, a, 0));
        assertThrows(IllegalArgumentException.class, () -> SurfaceDistances.of(a, a, -2));
        assertThrows(IllegalArgumentException.class, () -> SegmentationMetrics.compare(a, a));
    }
}
