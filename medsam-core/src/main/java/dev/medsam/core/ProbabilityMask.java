package dev.medsam.core;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Per-pixel foreground probabilities in [0, 1] on a row-major grid, usually at the original image size.
 * Immutable; lives on the Java heap.
 */
public final class ProbabilityMask {

    private final int width;
    private final int height;
    private final float[] values;

    private ProbabilityMask(int width, int height, float[] values) {
        this.width = width;
        this.height = height;
        this.values = values;
    }

    /**
     * Probabilities from a row-major array (copied).
     *
     * @throws IllegalArgumentException if the length is wrong or a value is outside [0, 1] or NaN
     */
    public static ProbabilityMask of(int width, int height, float[] rowMajor) {
        Grid.checkedSize("probability mask", width, height, rowMajor.length);
        float[] copy = rowMajor.clone();
        for (int i = 0; i < copy.length; i++) {
            float p = copy[i];
            if (!(p >= 0f && p <= 1f)) {
                throw new IllegalArgumentException("probability " + p + " at index " + i + " is outside [0, 1]");
            }
        }
        return new ProbabilityMask(width, height, copy);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The probability at column x, row y. */
    public float get(int x, int y) {
        return values[Grid.index("probability mask", width, height, x, y)];
    }

    /** A read-only row-major view, without copying. */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(values).asReadOnlyBuffer();
    }

    /** A row-major copy. */
    public float[] toArray() {
        return values.clone();
    }

    /** Pixels with probability strictly above {@code threshold} (MedSAM uses 0.5). */
    public BinaryMask threshold(float threshold) {
        byte[] bits = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = values[i] > threshold ? (byte) 1 : (byte) 0;
        }
        return BinaryMask.wrap(width, height, bits);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProbabilityMask m && m.width == width && m.height == height
                && Arrays.equals(m.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "ProbabilityMask[" + width + "x" + height + "]";
    }
}
