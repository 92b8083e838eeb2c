/**
 * Measurements on label maps: tumour burden ({@link dev.medsam.core.metrics.TumourBurden}: voxel counts,
 * volumes, bounding boxes, connected components, and the small-component cleanup MedSAM applies to labels) and
 * segmentation metrics ({@link dev.medsam.core.metrics.SegmentationMetrics}: Dice and normalised surface Dice,
 * computed as the MedSAM challenge's evaluation computes them).
 *
 * <h2>Conventions</h2>
 * <ul>
 * <li>Grids are {@link dev.medsam.core.metrics.LabelVolume}s, 2D or 3D, indexed (x, y[, z]) with x fastest;
 *     label 0 is background.</li>
 * <li>Lengths are millimetres, areas mm^2, volumes millilitres (1 mL = 1000 mm^3); voxel sizes come from the
 *     spacing (the lengths of the affine's columns).</li>
 * <li>Connectivity: 26 neighbours in 3D, 8 in 2D; voxels of different labels never connect.</li>
 * <li>Boxes are given in voxel indices (inclusive) and in patient millimetres in a stated coordinate system (LPS
 *     unless asked otherwise), covering the voxels' full extents.</li>
 * <li>Scores are fractions in [0, 1]; undefined scores (both masks empty) are {@code NaN}, never a guess.</li>
 * </ul>
 * Everything here is immutable or stateless and thread-safe, and lives on the Java heap.
 */
package dev.medsam.core.metrics;
