package dev.medsam.core.metrics;

import java.util.Arrays;

/**
 * The size and extent of one label of a {@link LabelVolume}, part of a {@link TumourBurden}.
 *
 * @param label      the label value (positive)
 * @param voxels     number of voxels with this label
 * @param volumeMl   3D: {@code voxels} times the voxel volume (product of the spacing, mm^3) / 1000, in millilitres;
 *                   {@code NaN} for a 2D volume. (For a sheared affine the true voxel volume is the affine's
 *                   determinant, slightly less than the product of the spacing; like the reference, this uses the
 *                   product.)
 * @param areaMm2    2D: {@code voxels} times the pixel area (product of the spacing), in mm^2; {@code NaN} for a 3D
 *                   volume
 * @param bboxVoxels the tightest box of voxel indices holding the label, inclusive: {@code [x0, y0, z0, x1, y1, z1]}
 *                   in 3D, {@code [x0, y0, x1, y1]} in 2D
 * @param bboxMm     the same voxels as a box in patient millimetres: the voxels' full extents (index bounds
 *                   widened by half a voxel on each side, so one voxel spans one spacing) mapped through the
 *                   volume's affine into the report's coordinate system, then the axis-aligned box around them,
 *                   {@code [x0, y0, z0, x1, y1, z1]} (minimum corner, then maximum corner). A 2D grid has no
 *                   thickness: its box lies in the image plane
 * @param components number of connected components of the label: 26-connectivity in 3D, 8 in 2D
 */
public record LabelBurden(int label, long voxels, double volumeMl, double areaMm2, int[] bboxVoxels, double[] bboxMm,
                          int components) {

    /**
     * @throws IllegalArgumentException if a count is out of range, a box has the wrong length or its minimum
     *                                  exceeds its maximum
     */
    public LabelBurden {
        if (label <= 0 || voxels <= 0 || components <= 0 || components > voxels) {
            throw new IllegalArgumentException("label " + label + " with " + voxels + " voxels in " + components
                    + " components is not a valid burden entry");
        }
        bboxVoxels = bboxVoxels.clone();
        bboxMm = bboxMm.clone();
        int rank = bboxVoxels.length / 2;
        if ((rank != 2 && rank != 3) || bboxVoxels.length % 2 != 0 || bboxMm.length != 6) {
            throw new IllegalArgumentException("bounding boxes need 4 or 6 voxel indices and 6 mm values, got "
                    + Arrays.toString(bboxVoxels) + " and " + Arrays.toString(bboxMm));
        }
        for (int a = 0; a < rank; a++) {
            if (bboxVoxels[a] < 0 || bboxVoxels[a] > bboxVoxels[a + rank]) {
                throw new IllegalArgumentException("voxel box " + Arrays.toString(bboxVoxels) + " is not min..max");
            }
        }
        for (int a = 0; a < 3; a++) {
            if (!(bboxMm[a] <= bboxMm[a + 3])) {
                throw new IllegalArgumentException("mm box " + Arrays.toString(bboxMm) + " is not min..max");
            }
        }
    }

    /** The voxel box, a copy. */
    @Override
    public int[] bboxVoxels() {
        return bboxVoxels.clone();
    }

    /** The mm box, a copy. */
    @Override
    public double[] bboxMm() {
        return bboxMm.clone();
    }

    /** Size of the mm box along its x, y and z axes (the label's extent in mm). */
    public double[] extentMm() {
        return new double[] {bboxMm[3] - bboxMm[0], bboxMm[4] - bboxMm[1], bboxMm[5] - bboxMm[2]};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelBurden b && b.label == label && b.voxels == voxels
                && Double.compare(b.volumeMl, volumeMl) == 0 && Double.compare(b.areaMm2, areaMm2) == 0
                && Arrays.equals(b.bboxVoxels, bboxVoxels) && Arrays.equals(b.bboxMm, bboxMm)
                && b.components == components;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * label + Long.hashCode(voxels)) + Arrays.hashCode(bboxVoxels)) + components;
    }

    @Override
    public String toString() {
        return "LabelBurden[label " + label + ", " + voxels + " voxels, "
                + (Double.isNaN(volumeMl) ? areaMm2 + " mm2" : volumeMl + " mL")
                + ", voxels " + Arrays.toString(bboxVoxels) + ", mm " + Arrays.toString(bboxMm) + ", "
                + components + " component" + (components == 1 ? "" : "s") + "]";
    }
}
