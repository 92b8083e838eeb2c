/**
 * Medical image files to and from {@link dev.medsam.core.image.MedicalImage}: the entry point
 * {@link dev.medsam.io.MedicalImages} recognises a file's format by content ({@link dev.medsam.io.ImageFormat}),
 * reads, writes and inspects it. Format-specific readers and writers live in the sub-packages
 * {@code nifti}, {@code numpy}, {@code image2d}, {@code dicom}, {@code nrrd} and {@code metaimage}, which build on
 * {@code files} (errors, atomic writes); {@code internal} is not API.
 *
 * <p>Every reader reports damaged content as a {@link dev.medsam.io.files.MalformedImageException} (an
 * {@link java.io.IOException}) naming the file and what was wrong, checks sizes against the file before
 * allocating, and never throws anything else for bad input. Every writer writes to a temporary file in the
 * target's folder and moves it into place, so a failed write leaves no partial file; {@link
 * dev.medsam.io.files.AtomicFiles} does this for any content.
 */
package dev.medsam.io;
