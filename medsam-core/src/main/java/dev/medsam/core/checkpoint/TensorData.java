package dev.medsam.core.checkpoint;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor of a checkpoint: its shape and its values as float32 in C order (last index fastest),
 * whatever {@link StoredType} the file used.
 *
 * <p>The values may be a view of a memory-mapped file: they stay valid as long as this object is reachable,
 * and {@link #values()} never copies.
 */
public final class TensorData {

    private final String name;
    private final int[] shape;
    private final StoredType storedType;
    private final FloatBuffer values;

    /**
     * @param values C-order float32 values; exactly {@code product(shape)} of them remain in the buffer
     * @throws IllegalArgumentException if the value count does not match the shape
     */
    public TensorData(String name, int[] shape, StoredType storedType, FloatBuffer values) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = shape.clone();
        this.storedType = Objects.requireNonNull(storedType, "stored type");
        long n = 1;
        for (int d : this.shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (values.remaining() != n) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + values.remaining());
        }
        this.values = values.slice().asReadOnlyBuffer();
    }

    /** A heap tensor from float values (copied), stored type F32. Handy for tests and generated weights. */
    public static TensorData of(String name, int[] shape, float[] values) {
        return new TensorData(name, shape, StoredType.F32, FloatBuffer.wrap(values.clone()));
    }

    /** The state-dict key, e.g. {@code image_encoder.blocks.0.attn.qkv.weight}. */
    public String name() {
        return name;
    }

    /** The shape (a copy), in PyTorch's order: Linear (out, in), Conv (out, in, kh, kw), ConvTranspose (in, out, kh, kw). */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code axis}. */
    public int dim(int axis) {
        return shape[axis];
    }

    /** Number of values. */
    public long size() {
        return values.capacity();
    }

    /** How the file stored the values. */
    public StoredType storedType() {
        return storedType;
    }

    /** The values, float32 in C order, as a read-only buffer positioned at 0 (a fresh view each call, no copy). */
    public FloatBuffer values() {
        return values.duplicate();
    }

    /** The values copied into a new array. */
    public float[] toArray() {
        float[] out = new float[values.capacity()];
        values.duplicate().get(out);
        return out;
    }

    /** Whether the values are in the JVM's native byte order (so backends can hand the memory to native code). */
    public boolean isNativeOrder() {
        return values.order() == ByteOrder.nativeOrder();
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + storedType;
    }
}
