package dev.medsam.core.metrics;

import dev.medsam.core.metrics.internal.Surfaces;

import java.util.Objects;

/**
 * The surfaces of one label in a ground truth and a prediction, each surface element with its size and its
 * distance to the other surface: computed once, then {@link #surfaceDice(double)} at any tolerance.
 *
 * <h2>How (as DeepMind's surface-distance library, used by the MedSAM challenge's evaluation)</h2>
 * Surface elements sit on voxel corners: a corner is on a mask's surface when the 2x2x2 voxels around it (2x2
 * pixels in 2D) are neither all inside nor all outside. Each such element weighs the area its neighbourhood
 * code has in a marching-cubes surface (in 2D the length of its marching-squares contour piece), scaled by the
 * spacing. Its distance to the other surface is the exact Euclidean distance, in mm with the voxel spacing, to
 * the nearest surface corner of the other mask. The masks are cropped to the bounding box of their union
 * first, which changes no distance and keeps memory and time to that box (about 12 bytes per voxel corner
 * of the box: 1 GB when both masks span a whole 512x512x300 volume).
 *
 * <p>Immutable and thread-safe.
 */
public final class SurfaceDistances {

    private final int label;
    private final Surfaces surfaces;
    private final double groundTruthSurface;
    private final double predictionSurface;

    SurfaceDistances(int label, Surfaces surfaces) {
        this.label = label;
        this.surfaces = surfaces;
        this.groundTruthSurface = sum(surfaces.groundTruthAreas);
        this.predictionSurface = sum(surfaces.predictionAreas);
    }

    /**
     * The surfaces of {@code label} in the two volumes.
     *
     * @throws IllegalArgumentException if the volumes' grids differ (dims or spacing), or {@code label} is not positive
     */
    public static SurfaceDistances of(LabelVolume groundTruth, LabelVolume prediction, int label) {
        Objects.requireNonNull(groundTruth, "ground truth");
        Objects.requireNonNull(prediction, "prediction");
        SegmentationMetrics.checkSameGrid(groundTruth, prediction);
        SegmentationMetrics.checkLabel(label);
        int[][] box = SegmentationMetrics.unionBox(groundTruth, prediction, label);
        Surfaces s = box == null ? Surfaces.empty()
                : Surfaces.of(groundTruth.labels(), prediction.labels(), groundTruth.dims(), groundTruth.spacingMm(),
                        label, box[0], box[1]);
        return new SurfaceDistances(label, s);
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    /** The label measured. */
    public int label() {
        return label;
    }

    /** Total surface area of the label in the ground truth, mm^2 (3D) or contour length, mm (2D); 0 when absent. */
    public double groundTruthSurface() {
        return groundTruthSurface;
    }

    /** Total surface area (3D, mm^2) or contour length (2D, mm) of the label in the prediction; 0 when absent. */
    public double predictionSurface() {
        return predictionSurface;
    }

    /**
     * Normalised surface Dice (NSD) at {@code toleranceMm}: the surface of the ground truth lying within the
     * tolerance of the predicted surface, plus the predicted surface within the tolerance of the ground truth's,
     * over both surfaces' total ({@code <=}: an element exactly at the tolerance counts).
     *
     * <ul>
     * <li>Both masks empty: {@code NaN} (undefined, as DeepMind's library returns; the challenge's copy adds
     *     1e-12 to the denominator and so reports 0, but never scores a label absent from both).</li>
     * <li>One mask empty: 0 (no element has a surface within reach).</li>
     * </ul>
     *
     * @return a fraction in [0, 1], or {@code NaN} as above
     * @throws IllegalArgumentException if the tolerance is negative or not finite
     */
    public double surfaceDice(double toleranceMm) {
        if (!(toleranceMm >= 0) || !Double.isFinite(toleranceMm)) {
            throw new IllegalArgumentException("tolerance must be a finite number of mm, 0 or more, got " + toleranceMm);
        }
        double total = groundTruthSurface + predictionSurface;
        if (total == 0) {
            return Double.NaN;
        }
        double within = within(surfaces.groundTruthDistances, surfaces.groundTruthAreas, toleranceMm)
                + within(surfaces.predictionDistances, surfaces.predictionAreas, toleranceMm);
        return within / total;
    }

    private static double within(double[] distances, double[] areas, double tolerance) {
        double s = 0;
        for (int i = 0; i < distances.length; i++) {
            if (distances[i] <= tolerance) {
                s += areas[i];
            }
        }
        return s;
    }

    @Override
    public String toString() {
        return "SurfaceDistances[label " + label + ", ground truth " + groundTruthSurface + ", prediction "
                + predictionSurface + "]";
    }
}
