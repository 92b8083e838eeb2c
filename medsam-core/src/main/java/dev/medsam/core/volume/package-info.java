/**
 * 3D segmentation of CT/MR volumes with a 2D model, slice by slice, as MedSAM's 3D protocol and the CVPR 2024
 * "MedSAM on laptop" reference do: {@link dev.medsam.core.volume.VolumeSegmenter} propagates each object from its
 * start slice outwards, each slice prompted with the bounding box of the previous slice's mask.
 *
 * <h2>Conventions</h2>
 * <ul>
 * <li>Volumes are {@link dev.medsam.core.image.MedicalImage}s of 3 dims (or 4 with a time axis), indexed
 *     (x, y, z) = (column, row, slice), x fastest. Slices are taken across one array axis (default 2) with
 *     {@link dev.medsam.core.image.MedicalImage#plane(int, int, int)}; a slice's pixels are (u, v) = the plane's
 *     (column, row): (x, y) across axis 2, (x, z) across axis 1, (y, z) across axis 0.</li>
 * <li>Boxes ({@link dev.medsam.core.Box}) are in a slice's pixels, x0/y0 the top-left and x1/y1 the bottom-right
 *     corner, pixel centres at integers, as MedSAM's scripts use them. Slice ranges are inclusive at both ends
 *     (the challenge's z1 is inclusive).</li>
 * <li>The output is a label volume with the source's grid and affine: label {@code i} for the {@code i}-th
 *     prompt, 0 background.</li>
 * </ul>
 * Measure the result with {@link dev.medsam.core.metrics.TumourBurden} and
 * {@link dev.medsam.core.metrics.SegmentationMetrics}; write it with medsam-io (NIfTI, or the challenge's npz
 * with key {@code segs}).
 */
package dev.medsam.core.volume;
