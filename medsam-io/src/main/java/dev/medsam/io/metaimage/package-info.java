/**
 * MetaImage, ITK's format ({@code .mha}, {@code .mhd} with a data file):
 * {@link dev.medsam.io.metaimage.MetaImageReader} reads it with TransformMatrix, Offset and ElementSpacing as an
 * LPS affine, {@link dev.medsam.io.metaimage.MetaImageWriter} writes images and masks.
 */
package dev.medsam.io.metaimage;
