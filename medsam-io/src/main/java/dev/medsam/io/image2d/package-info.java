/**
 * 2D pictures: {@link dev.medsam.io.image2d.RasterImages} reads PNG, JPEG, BMP and TIFF (ImageIO with the
 * TwelveMonkeys plugins) keeping stored values; {@link dev.medsam.io.image2d.PngWriter} writes masks and
 * overlays.
 */
package dev.medsam.io.image2d;
