package dev.medsam.core;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * A binary mask (0 = background, 1 = object) on a row-major grid. Immutable; lives on the Java heap.
 */
public final class BinaryMask {

    private final int width;
    private final int height;
    private final byte[] bits;

    private BinaryMask(int width, int height, byte[] bits) {
        this.width = width;
        this.height = height;
        this.bits = bits;
    }

    /**
     * A mask from a row-major array (copied): zero is background, any other value is object.
     *
     * @throws IllegalArgumentException if the length is not {@code width * height}
     */
    public static BinaryMask of(int width, int height, byte[] rowMajor) {
        Grid.checkedSize("binary mask", width, height, rowMajor.length);
        byte[] copy = new byte[rowMajor.length];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = rowMajor[i] != 0 ? (byte) 1 : (byte) 0;
        }
        return new BinaryMask(width, height, copy);
    }

    /** Takes ownership of an array that already holds only 0 and 1. */
    static BinaryMask wrap(int width, int height, byte[] zeroOrOne) {
        Grid.checkedSize("binary mask", width, height, zeroOrOne.length);
        return new BinaryMask(width, height, zeroOrOne);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Whether the pixel at column x, row y is object. */
    public boolean get(int x, int y) {
        return bits[Grid.index("binary mask", width, height, x, y)] != 0;
    }

    /** Number of object pixels. */
    public long count() {
        long n = 0;
        for (byte b : bits) {
            n += b;
        }
        return n;
    }

    /** Whether no pixel is object. */
    public boolean isEmpty() {
        for (byte b : bits) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The tightest pixel bounds around the object pixels (inclusive, in this mask's pixel indices), or empty
     * when the mask is empty.
     */
    public Optional<PixelBounds> bounds() {
        int minX = width, minY = height, maxX = -1, maxY = -1;
        for (int y = 0; y < height; y++) {
            int row = y * width;
            for (int x = 0; x < width; x++) {
                if (bits[row + x] != 0) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = y;
                }
            }
        }
        return maxX < 0 ? Optional.empty() : Optional.of(new PixelBounds(minX, minY, maxX, maxY));
    }

    /** A read-only row-major view of 0/1 bytes, without copying. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(bits).asReadOnlyBuffer();
    }

    /** A row-major copy of 0/1 bytes. */
    public byte[] toArray() {
        return bits.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BinaryMask m && m.width == width && m.height == height && Arrays.equals(m.bits, bits);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "BinaryMask[" + width + "x" + height + ", " + count() + " object pixels]";
    }
}
