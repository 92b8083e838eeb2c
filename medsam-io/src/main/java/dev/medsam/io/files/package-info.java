/**
 * What every file format of medsam-io builds on, and what callers catch and use directly: {@link
 * dev.medsam.io.files.MalformedImageException} for a file whose content is not a valid image, and {@link
 * dev.medsam.io.files.AtomicFiles}, which writes any file completely or not at all.
 *
 * <p>This package sits below the format packages ({@code nifti}, {@code dicom}, ...) and the entry point
 * {@link dev.medsam.io.MedicalImages} above them; it depends on neither, so that the packages layer without
 * cycles (issue 16). {@code internal} holds the readers' shared plumbing (size limits, header text, raw data
 * with its compression and byte order) and is not API.
 */
package dev.medsam.io.files;
