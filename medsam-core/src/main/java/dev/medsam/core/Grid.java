package dev.medsam.core;

/** Shared checks for the row-major 2D grids of the mask types. */
final class Grid {

    private Grid() {
    }

    static int checkedSize(String what, int width, int height, int length) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(what + " size must be positive, got " + width + "x" + height);
        }
        long size = (long) width * height;
        if (size != length) {
            throw new IllegalArgumentException(what + " of " + width + "x" + height + " needs " + size
                    + " values, got " + length);
        }
        return (int) size;
    }

    static int index(String what, int width, int height, int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            throw new IndexOutOfBoundsException("(" + x + ", " + y + ") is outside the " + width + "x" + height + " " + what);
        }
        return y * width + x;
    }
}
