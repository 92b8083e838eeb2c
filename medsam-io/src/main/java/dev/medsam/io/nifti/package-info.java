/**
 * NIfTI-1 and NIfTI-2 single files ({@code .nii}, {@code .nii.gz}): {@link dev.medsam.io.nifti.NiftiReader}
 * reads them as nibabel does (dims, scaling, affine choice), {@link dev.medsam.io.nifti.NiftiWriter} writes
 * them, keeping a source header's geometry exactly for images on the same grid.
 */
package dev.medsam.io.nifti;
