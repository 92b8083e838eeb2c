/**
 * NRRD ({@code .nrrd}, detached {@code .nhdr}) and 3D Slicer segmentations ({@code .seg.nrrd}):
 * {@link dev.medsam.io.nrrd.NrrdReader} reads them with their space directions and origin as an LPS affine and
 * the Slicer segment names and label values, {@link dev.medsam.io.nrrd.NrrdWriter} writes images, masks and
 * segmentations.
 */
package dev.medsam.io.nrrd;
