package dev.medsam.core.image;

/**
 * A position in voxel index space: i along the first (fastest, column) axis, j along rows, k along slices.
 * Integer values are voxel centres. Not millimetres: use {@link Affine#apply(VoxelIndex)}.
 */
public record VoxelIndex(double i, double j, double k) {

    public VoxelIndex {
        if (!Double.isFinite(i) || !Double.isFinite(j) || !Double.isFinite(k)) {
            throw new IllegalArgumentException("voxel index must be finite, got (" + i + ", " + j + ", " + k + ")");
        }
    }
}
