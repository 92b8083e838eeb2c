package dev.medsam.core.spi;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable float32 array with a shape, in C order (last index fastest), as the network's inputs and
 * outputs are laid out in the reference (NCHW for images and embeddings). Lives on the Java heap.
 */
public final class FloatTensor {

    private final int[] shape;
    private final float[] data;

    private FloatTensor(int[] shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    /**
     * A tensor from C-order values (copied).
     *
     * @throws IllegalArgumentException if a dimension is not positive or the value count does not match
     */
    public static FloatTensor of(int[] shape, float[] cOrderValues) {
        Objects.requireNonNull(cOrderValues, "values");
        return wrap(shape.clone(), cOrderValues.clone());
    }

    /**
     * A tensor that takes ownership of {@code cOrderValues}: the caller must not modify the array afterwards.
     * For producers (backends, readers) that have just allocated the array; everyone else uses {@link #of}.
     */
    public static FloatTensor wrap(int[] shape, float[] cOrderValues) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(cOrderValues, "values");
        long n = elementCount(shape);
        if (n != cOrderValues.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
                    + cOrderValues.length);
        }
        return new FloatTensor(shape.clone(), cOrderValues);
    }

    static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor dimensions must be positive, got " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code axis}. */
    public int dim(int axis) {
        return shape[axis];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of values. */
    public int size() {
        return data.length;
    }

    /** A read-only C-order view, without copying. */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(data).asReadOnlyBuffer();
    }

    /** A C-order copy of the values. */
    public float[] toArray() {
        return data.clone();
    }

    /** The value at a flat C-order index. */
    public float get(int flatIndex) {
        return data[flatIndex];
    }

    /** Whether the shape equals {@code expected}. */
    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && Arrays.equals(t.shape, shape) && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
