package dev.medsam.core.metrics;

import dev.medsam.core.metrics.internal.LabelArray;
import dev.medsam.core.metrics.internal.Surfaces;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Dice (DSC) and normalised surface Dice (NSD) between a ground-truth and a predicted label map, per label, as
 * the MedSAM challenge's evaluation computes them (LiteMedSAM's {@code evaluation/SurfaceDice.py}, which is
 * DeepMind's surface-distance algorithm; see {@link SurfaceDistances} for the NSD's details).
 *
 * <pre>{@code
 * LabelVolume gt = LabelVolume.from(reference);      // MedicalImage label maps on the same grid
 * LabelVolume pred = LabelVolume.from(prediction);
 * for (LabelScores s : SegmentationMetrics.compare(gt, pred, 2.0)) {
 *     System.out.printf("label %d: dsc %.4f nsd %.4f%n", s.label(), s.dsc(), s.nsd(2.0));
 * }
 * }</pre>
 *
 * <h2>Grids</h2>
 * Both volumes must have the same rank and dims, and the same spacing (to a relative 1e-4); the ground
 * truth's spacing is used. Metrics are computed voxel by voxel, as the reference does on arrays: the affines
 * are not compared (check them yourself when the two files might not share a grid).
 *
 * <h2>Empty masks</h2>
 * DSC: 0 when exactly one mask is empty, {@code NaN} (undefined) when both are. NSD: 0 when exactly one is
 * empty, {@code NaN} when both are. {@link #compare} scores only labels present in at least one volume, so its
 * values are never {@code NaN}.
 *
 * <p>Stateless and thread-safe; each call works on its own arrays. Labels are done one after the other on the
 * calling thread.
 */
public final class SegmentationMetrics {

    private SegmentationMetrics() {
    }

    /**
     * Dice similarity coefficient of {@code label}: {@code 2 |G ∩ P| / (|G| + |P|)} over voxel counts.
     *
     * @return a fraction in [0, 1]; 0 if exactly one volume lacks the label, {@code NaN} if both do
     * @throws IllegalArgumentException if the grids differ or {@code label} is not positive
     */
    public static double dice(LabelVolume groundTruth, LabelVolume prediction, int label) {
        checkPair(groundTruth, prediction);
        checkLabel(label);
        LabelArray g = groundTruth.labels();
        LabelArray p = prediction.labels();
        long gc = 0;
        long pc = 0;
        long both = 0;
        for (int i = 0; i < g.length(); i++) {
            boolean inG = g.get(i) == label;
            boolean inP = p.get(i) == label;
            gc += inG ? 1 : 0;
            pc += inP ? 1 : 0;
            both += inG && inP ? 1 : 0;
        }
        return dice(gc, pc, both);
    }

    private static double dice(long g, long p, long both) {
        return g + p == 0 ? Double.NaN : 2.0 * both / (g + p);
    }

    /**
     * Normalised surface Dice of {@code label} at {@code toleranceMm} (see
     * {@link SurfaceDistances#surfaceDice(double)}).
     *
     * @throws IllegalArgumentException if the grids differ, {@code label} is not positive or the tolerance is
     *                                  negative or not finite
     */
    public static double surfaceDice(LabelVolume groundTruth, LabelVolume prediction, int label, double toleranceMm) {
        checkTolerance(toleranceMm);
        return SurfaceDistances.of(groundTruth, prediction, label).surfaceDice(toleranceMm);
    }

    /**
     * DSC and NSD (at each of {@code tolerancesMm}) for every non-zero label present in either volume, ascending
     * by label. The volumes are scanned once for counts and boxes; then each label's surfaces are computed
     * within its own box.
     *
     * @throws IllegalArgumentException if the grids differ, no tolerance is given, or a tolerance is negative or
     *                                  not finite
     */
    public static List<LabelScores> compare(LabelVolume groundTruth, LabelVolume prediction, double... tolerancesMm) {
        checkPair(groundTruth, prediction);
        Objects.requireNonNull(tolerancesMm, "tolerances");
        if (tolerancesMm.length == 0) {
            throw new IllegalArgumentException("give at least one NSD tolerance in mm");
        }
        for (double t : tolerancesMm) {
            checkTolerance(t);
        }
        double[] tolerances = tolerancesMm.clone();
        int[] labels = IntStream.concat(Arrays.stream(groundTruth.labelsPresent()), Arrays.stream(prediction.labelsPresent()))
                .distinct().sorted().toArray();
        Tally tally = Tally.of(groundTruth, prediction, labels);
        int[] dims = groundTruth.dims();
        double[] spacing = groundTruth.spacingMm();
        List<LabelScores> out = new ArrayList<>(labels.length);
        for (int i = 0; i < labels.length; i++) {
            int rank = dims.length;
            int[] min = Arrays.copyOf(tally.min[i], rank);
            int[] max = Arrays.copyOf(tally.max[i], rank);
            SurfaceDistances sd = new SurfaceDistances(labels[i],
                    Surfaces.of(groundTruth.labels(), prediction.labels(), dims, spacing, labels[i], min, max));
            double[] nsd = new double[tolerances.length];
            for (int t = 0; t < nsd.length; t++) {
                nsd[t] = sd.surfaceDice(tolerances[t]);
            }
            out.add(new LabelScores(labels[i], tally.gt[i], tally.pred[i], dice(tally.gt[i], tally.pred[i], tally.both[i]),
                    tolerances, nsd));
        }
        return out;
    }

    static void checkLabel(int label) {
        if (label <= 0) {
            throw new IllegalArgumentException("label must be positive (0 is background), got " + label);
        }
    }

    private static void checkTolerance(double t) {
        if (!(t >= 0) || !Double.isFinite(t)) {
            throw new IllegalArgumentException("NSD tolerance must be a finite number of mm, 0 or more, got " + t);
        }
    }

    private static void checkPair(LabelVolume groundTruth, LabelVolume prediction) {
        Objects.requireNonNull(groundTruth, "ground truth");
        Objects.requireNonNull(prediction, "prediction");
        checkSameGrid(groundTruth, prediction);
    }

    /** Same dims, same spacing to a relative 1e-4. */
    static void checkSameGrid(LabelVolume groundTruth, LabelVolume prediction) {
        if (!Arrays.equals(groundTruth.dims(), prediction.dims())) {
            throw new IllegalArgumentException("ground truth dims " + Arrays.toString(groundTruth.dims())
                    + " differ from prediction dims " + Arrays.toString(prediction.dims()));
        }
        double[] a = groundTruth.spacingMm();
        double[] b = prediction.spacingMm();
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > 1e-4 * Math.max(a[i], b[i])) {
                throw new IllegalArgumentException("ground truth spacing " + Arrays.toString(a)
                        + " mm differs from prediction spacing " + Arrays.toString(b) + " mm along axis " + i);
            }
        }
    }

    /** Inclusive voxel box {min, max} of the voxels with {@code label} in either volume, or null if none. */
    static int[][] unionBox(LabelVolume groundTruth, LabelVolume prediction, int label) {
        int[] dims = groundTruth.dims();
        int rank = dims.length;
        int nx = dims[0];
        int ny = dims[1];
        int nz = rank > 2 ? dims[2] : 1;
        LabelArray g = groundTruth.labels();
        LabelArray p = prediction.labels();
        int[] min = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] max = {-1, -1, -1};
        int i = 0;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++, i++) {
                    if (g.get(i) == label || p.get(i) == label) {
                        min[0] = Math.min(min[0], x);
                        max[0] = Math.max(max[0], x);
                        min[1] = Math.min(min[1], y);
                        max[1] = Math.max(max[1], y);
                        min[2] = Math.min(min[2], z);
                        max[2] = Math.max(max[2], z);
                    }
                }
            }
        }
        if (max[0] < 0) {
            return null;
        }
        return new int[][] {Arrays.copyOf(min, rank), Arrays.copyOf(max, rank)};
    }

    /** Per-label voxel counts and union boxes of two volumes, from one pass. */
    private static final class Tally {
        final long[] gt;
        final long[] pred;
        final long[] both;
        final int[][] min;
        final int[][] max;

        private Tally(int n) {
            gt = new long[n];
            pred = new long[n];
            both = new long[n];
            min = new int[n][];
            max = new int[n][];
            for (int i = 0; i < n; i++) {
                min[i] = new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
                max[i] = new int[] {-1, -1, -1};
            }
        }

        static Tally of(LabelVolume groundTruth, LabelVolume prediction, int[] labels) {
            Tally t = new Tally(labels.length);
            int[] dims = groundTruth.dims();
            int nx = dims[0];
            int ny = dims[1];
            int nz = dims.length > 2 ? dims[2] : 1;
            LabelArray g = groundTruth.labels();
            LabelArray p = prediction.labels();
            int top = Math.max(g.maxLabel(), p.maxLabel());
            // Label -> entry: a table when labels are small (the usual case), else a binary search.
            int[] table = null;
            if (top <= 0xFFFF) {
                table = new int[top + 1];
                for (int i = 0; i < labels.length; i++) {
                    table[labels[i]] = i;
                }
            }
            int i = 0;
            for (int z = 0; z < nz; z++) {
                for (int y = 0; y < ny; y++) {
                    for (int x = 0; x < nx; x++, i++) {
                        int gl = g.get(i);
                        int pl = p.get(i);
                        if (gl != 0) {
                            int e = table != null ? table[gl] : Arrays.binarySearch(labels, gl);
                            t.gt[e]++;
                            if (pl == gl) {
                                t.both[e]++;
                            }
                            t.extend(e, x, y, z);
                        }
                        if (pl != 0) {
                            int e = table != null ? table[pl] : Arrays.binarySearch(labels, pl);
                            t.pred[e]++;
                            if (pl != gl) {
                                t.extend(e, x, y, z);
                            }
                        }
                    }
                }
            }
            return t;
        }

        private void extend(int e, int x, int y, int z) {
            int[] lo = min[e];
            int[] hi = max[e];
            if (x < lo[0]) {
                lo[0] = x;
            }
            if (x > hi[0]) {
                hi[0] = x;
            }
            if (y < lo[1]) {
                lo[1] = y;
            }
            if (y > hi[1]) {
                hi[1] = y;
            }
            if (z < lo[2]) {
                lo[2] = z;
            }
            if (z > hi[2]) {
                hi[2] = z;
            }
        }
    }
}
