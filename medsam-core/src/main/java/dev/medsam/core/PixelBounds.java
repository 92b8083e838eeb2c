package dev.medsam.core;

/**
 * Inclusive integer bounds of a set of pixels: columns {@code minX..maxX} and rows {@code minY..maxY}.
 *
 * @throws IllegalArgumentException if a bound is negative or a maximum is below its minimum
 */
public record PixelBounds(int minX, int minY, int maxX, int maxY) {

    public PixelBounds {
        if (minX < 0 || minY < 0 || maxX < minX || maxY < minY) {
            throw new IllegalArgumentException("invalid pixel bounds x " + minX + ".." + maxX + ", y " + minY + ".." + maxY);
        }
    }

    /**
     * The box from these bounds grown by {@code margin} pixels on every side and clipped to a
     * {@code width x height} image (pixel centres 0..width-1), as MedSAM's 3D scripts derive the next slice's box.
     * A single row or column still gives a box of positive size: the box then spans at least one pixel.
     */
    public Box toBox(double margin, int width, int height) {
        double x0 = Math.max(0, minX - margin);
        double y0 = Math.max(0, minY - margin);
        double x1 = Math.min(width - 1, maxX + margin);
        double y1 = Math.min(height - 1, maxY + margin);
        if (x1 <= x0) {
            x1 = x0 + 1;
        }
        if (y1 <= y0) {
            y1 = y0 + 1;
        }
        return new Box(x0, y0, x1, y1);
    }
}
