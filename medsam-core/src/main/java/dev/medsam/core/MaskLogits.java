package dev.medsam.core;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Mask logits (before the sigmoid) on a row-major grid, usually the decoder's 256x256 low-resolution output.
 * Immutable; lives on the Java heap.
 */
public final class MaskLogits {

    private final int width;
    private final int height;
    private final float[] values;

    private MaskLogits(int width, int height, float[] values) {
        this.width = width;
        this.height = height;
        this.values = values;
    }

    /**
     * Logits from a row-major array (copied).
     *
     * @throws IllegalArgumentException if the array length is not {@code width * height} or a value is NaN
     */
    public static MaskLogits of(int width, int height, float[] rowMajor) {
        Grid.checkedSize("mask logits", width, height, rowMajor.length);
        float[] copy = rowMajor.clone();
        for (int i = 0; i < copy.length; i++) {
            if (Float.isNaN(copy[i])) {
                throw new IllegalArgumentException("mask logits contain NaN at index " + i
                        + " (x=" + (i % width) + ", y=" + (i / width) + ")");
            }
        }
        return new MaskLogits(width, height, copy);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The logit at column x, row y. */
    public float get(int x, int y) {
        return values[Grid.index("mask logits", width, height, x, y)];
    }

    /** A read-only row-major view, without copying. */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(values).asReadOnlyBuffer();
    }

    /** A row-major copy. */
    public float[] toArray() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskLogits m && m.width == width && m.height == height && Arrays.equals(m.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "MaskLogits[" + width + "x" + height + "]";
    }
}
