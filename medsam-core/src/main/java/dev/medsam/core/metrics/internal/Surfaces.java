package dev.medsam.core.metrics.internal;

import java.util.Arrays;

/**
 * The surface elements of two binary masks (one label of two label grids) with, for each element, its size
 * and its distance to the other mask's surface: the computation behind the normalised surface Dice, done as
 * DeepMind's surface-distance library ({@code compute_surface_distances}) does it.
 *
 * <ol>
 * <li>Crop both masks to the bounding box of their union (the distances between surfaces do not depend on
 *     anything outside it).</li>
 * <li>Every voxel corner of the crop, including the outer ones, gets the code of its 2x2x2 (2x2) neighbourhood,
 *     voxels outside the crop counting as outside the object (see {@link NeighbourhoodAreas}). The corners
 *     whose code is neither all-outside nor all-inside are the surface ("border") elements.</li>
 * <li>An exact Euclidean distance transform with the voxel spacing gives, for every corner, the distance to
 *     the nearest border corner of the other mask; each border corner keeps that distance and the area
 *     (contour length in 2D) of its code.</li>
 * </ol>
 * When a mask has no border corner (it is empty), the other mask's distances are all {@code +Infinity}.
 */
public final class Surfaces {

    /** Distances (mm) from each ground-truth border element to the prediction's surface. */
    public final double[] groundTruthDistances;
    /** Area (mm^2; length in mm in 2D) of each ground-truth border element. */
    public final double[] groundTruthAreas;
    /** Distances (mm) from each predicted border element to the ground truth's surface. */
    public final double[] predictionDistances;
    /** Area (mm^2; length in mm in 2D) of each predicted border element. */
    public final double[] predictionAreas;

    private Surfaces(double[] gd, double[] ga, double[] pd, double[] pa) {
        groundTruthDistances = gd;
        groundTruthAreas = ga;
        predictionDistances = pd;
        predictionAreas = pa;
    }

    /** No surface on either side (both masks empty). */
    public static Surfaces empty() {
        return new Surfaces(new double[0], new double[0], new double[0], new double[0]);
    }

    /**
     * The surfaces of {@code label} in {@code groundTruth} and {@code prediction}.
     *
     * @param dims    grid size (x, y) or (x, y, z)
     * @param spacing mm per voxel along each axis
     * @param min     first voxel of the union's bounding box, per axis (inclusive)
     * @param max     last voxel of the union's bounding box, per axis (inclusive)
     */
    public static Surfaces of(LabelArray groundTruth, LabelArray prediction, int[] dims, double[] spacing, int label,
                              int[] min, int[] max) {
        int rank = dims.length;
        if (rank != 2 && rank != 3) {
            throw new IllegalArgumentException("surfaces need a 2D or 3D grid, got " + Arrays.toString(dims));
        }
        NeighbourhoodAreas.checkSpacing(spacing, rank);
        int[] extent = new int[rank];
        int[] corners = new int[rank];
        long cornerCount = 1;
        for (int a = 0; a < rank; a++) {
            if (min[a] < 0 || max[a] >= dims[a] || max[a] < min[a]) {
                throw new IllegalArgumentException("bounding box " + Arrays.toString(min) + ".." + Arrays.toString(max)
                        + " is not inside " + Arrays.toString(dims));
            }
            extent[a] = max[a] - min[a] + 1;
            corners[a] = extent[a] + 1;
            cornerCount *= corners[a];
        }
        if (cornerCount > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("the bounding box " + Arrays.toString(extent) + " of label " + label
                    + " has too many voxel corners (" + cornerCount + ") for one array");
        }
        int n = (int) cornerCount;
        byte[] gtCodes = new byte[n];
        byte[] predCodes = new byte[n];
        codes(groundTruth, dims, label, min, extent, gtCodes);
        codes(prediction, dims, label, min, extent, predCodes);
        int full = rank == 3 ? 0xFF : 0x0F;
        double[] area = rank == 3 ? NeighbourhoodAreas.surfaceAreas(spacing) : NeighbourhoodAreas.contourLengths(spacing);

        byte[] gtBorder = new byte[n];
        byte[] predBorder = new byte[n];
        int gtCount = 0;
        int predCount = 0;
        for (int i = 0; i < n; i++) {
            int g = gtCodes[i] & 0xFF;
            if (g != 0 && g != full) {
                gtBorder[i] = 1;
                gtCount++;
            }
            int p = predCodes[i] & 0xFF;
            if (p != 0 && p != full) {
                predBorder[i] = 1;
                predCount++;
            }
        }
        double[] dist = new double[n];
        // Distances of the ground truth's border corners to the prediction's surface, then the other way round.
        double[] gd = new double[gtCount];
        double[] ga = new double[gtCount];
        gather(predBorder, predCount, corners, spacing, dist, gtBorder, gtCodes, area, gd, ga);
        double[] pd = new double[predCount];
        double[] pa = new double[predCount];
        gather(gtBorder, gtCount, corners, spacing, dist, predBorder, predCodes, area, pd, pa);
        return new Surfaces(gd, ga, pd, pa);
    }

    /** Fills {@code distances}/{@code areas} for the corners marked in {@code from}, measured to {@code to}. */
    private static void gather(byte[] to, int toCount, int[] corners, double[] spacing, double[] dist,
                               byte[] from, byte[] fromCodes, double[] area, double[] distances, double[] areas) {
        if (distances.length == 0) {
            return;
        }
        if (toCount == 0) {
            Arrays.fill(distances, Double.POSITIVE_INFINITY);
        } else {
            DistanceTransform.squaredDistances(to, corners, spacing, dist);
        }
        int j = 0;
        for (int i = 0; i < from.length; i++) {
            if (from[i] != 0) {
                if (toCount != 0) {
                    distances[j] = Math.sqrt(dist[i]);
                }
                areas[j] = area[fromCodes[i] & 0xFF];
                j++;
            }
        }
    }

    /**
     * The neighbourhood code of every corner of the crop. Corner {@code c} (per axis 0..extent) sees crop voxels
     * {@code c - 1} and {@code c}; the crop voxel {@code v} is grid voxel {@code min + v}.
     */
    private static void codes(LabelArray labels, int[] dims, int label, int[] min, int[] extent, byte[] out) {
        if (dims.length == 3) {
            codes3d(labels, dims, label, min, extent, out);
        } else {
            codes2d(labels, dims, label, min, extent, out);
        }
    }

    private static void codes3d(LabelArray labels, int[] dims, int label, int[] min, int[] extent, byte[] out) {
        int ex = extent[0], ey = extent[1], ez = extent[2];
        int cx = ex + 1, cy = ey + 1;
        int nx = dims[0], ny = dims[1];
        // A crop voxel inside contributes its bit to the 8 corners around it.
        for (int z = 0; z < ez; z++) {
            for (int y = 0; y < ey; y++) {
                int src = (min[0]) + nx * ((min[1] + y) + ny * (min[2] + z));
                for (int x = 0; x < ex; x++) {
                    if (labels.get(src + x) != label) {
                        continue;
                    }
                    // The voxel is at offset a = 1 from corner x, a = 0 from corner x + 1 (likewise y, z).
                    for (int c = 0; c < 2; c++) {
                        for (int b = 0; b < 2; b++) {
                            int rowBase = cx * ((y + 1 - b) + cy * (z + 1 - c));
                            for (int a = 0; a < 2; a++) {
                                int corner = rowBase + x + 1 - a;
                                out[corner] = (byte) (out[corner] | NeighbourhoodAreas.bit3d(a, b, c));
                            }
                        }
                    }
                }
            }
        }
    }

    private static void codes2d(LabelArray labels, int[] dims, int label, int[] min, int[] extent, byte[] out) {
        int ex = extent[0], ey = extent[1];
        int cx = ex + 1;
        int nx = dims[0];
        for (int y = 0; y < ey; y++) {
            int src = min[0] + nx * (min[1] + y);
            for (int x = 0; x < ex; x++) {
                if (labels.get(src + x) != label) {
                    continue;
                }
                for (int b = 0; b < 2; b++) {
                    int rowBase = cx * (y + 1 - b);
                    for (int a = 0; a < 2; a++) {
                        int corner = rowBase + x + 1 - a;
                        out[corner] = (byte) (out[corner] | NeighbourhoodAreas.bit2d(a, b));
                    }
                }
            }
        }
    }
}
