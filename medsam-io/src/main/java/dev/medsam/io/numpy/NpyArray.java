package dev.medsam.io.numpy;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.io.numpy.internal.NpyValues;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An N-dimensional NumPy array: an element type, a shape in NumPy order, and the values little-endian in C
 * order (last index fastest), whatever order and byte order the file had. Zero-size dimensions and
 * 0-dimensional (scalar) arrays are allowed, as in NumPy.
 *
 * <h2>Axis mapping to images</h2>
 * {@link #toMedicalImage()} reverses the axes: an array of shape {@code (d0, ..., dn)} becomes an image with
 * dims {@code (dn, ..., d0)}, so that the last (fastest) NumPy axis is the image's x (columns). A MedSAM
 * volume {@code imgs} of shape (D, H, W) becomes dims (W, H, D) = (x, y, z), and element {@code a[z, y, x]}
 * is voxel {@code (x, y, z)}. No values move: C order of {@code (d0..dn)} is the image's x-fastest order of
 * {@code (dn..d0)}. {@link #of(MedicalImage)} is the inverse.
 *
 * <p>Immutable and thread-safe; lives on the Java heap. The pipeline's float32 tensors go in and out with
 * {@link #ofFloats(float[], int...)} / {@link #of(FloatTensor)} and {@link #toFloatArray()} /
 * {@link #toFloatTensor()}:
 * <pre>{@code
 * Npy.write(Path.of("embedding.npy"), NpyArray.of(embedding));     // float32 (1, 256, 64, 64)
 * float[] input = Npy.read(Path.of("input.npy")).toFloatArray();
 * }</pre>
 */
public final class NpyArray {

    private final NpyDtype dtype;
    private final int[] shape;
    private final ByteBuffer data;

    private NpyArray(NpyDtype dtype, int[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /**
     * An array over little-endian C-order values. The array takes the buffer over (the caller must not change
     * it afterwards); its remaining bytes must be exactly the array's size.
     *
     * @throws IllegalArgumentException if a dimension is negative, the size overflows a Java array, or the
     *                                  buffer has the wrong length
     */
    public static NpyArray of(NpyDtype dtype, int[] shape, ByteBuffer littleEndianCOrder) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(littleEndianCOrder, "data");
        int[] s = shape.clone();
        long bytes = byteSize(dtype, s);
        if (littleEndianCOrder.remaining() != bytes) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " of " + dtype.numpyName() + " needs "
                    + bytes + " bytes, got " + littleEndianCOrder.remaining());
        }
        return new NpyArray(dtype, s, littleEndianCOrder.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    /** A float32 array of C-order values (copied). */
    public static NpyArray ofFloats(float[] cOrderValues, int... shape) {
        ByteBuffer bb = ByteBuffer.allocate(Math.multiplyExact(cOrderValues.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(cOrderValues);
        return of(NpyDtype.FLOAT32, shape, bb);
    }

    /** A float64 array of C-order values (copied). */
    public static NpyArray ofDoubles(double[] cOrderValues, int... shape) {
        ByteBuffer bb = ByteBuffer.allocate(Math.multiplyExact(cOrderValues.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        bb.asDoubleBuffer().put(cOrderValues);
        return of(NpyDtype.FLOAT64, shape, bb);
    }

    /** A uint8 array of C-order values (copied). */
    public static NpyArray ofBytes(byte[] cOrderValues, int... shape) {
        return of(NpyDtype.UINT8, shape, ByteBuffer.wrap(cOrderValues.clone()));
    }

    /** The tensor's values as a float32 array of the same shape. */
    public static NpyArray of(FloatTensor tensor) {
        float[] v = new float[tensor.size()];
        tensor.buffer().get(v);
        return ofFloats(v, tensor.shape());
    }

    /**
     * An image's stored values as an array of shape {@code (dn, ..., d0)} for image dims {@code (d0, ..., dn)},
     * plus a last axis of {@code components} when the image has more than one (an RGB image of dims (W, H)
     * gives shape (H, W, 3)). The values are shared, not copied.
     */
    public static NpyArray of(MedicalImage image) {
        int[] dims = image.dims();
        int extra = image.components() > 1 ? 1 : 0;
        int[] s = new int[dims.length + extra];
        for (int i = 0; i < dims.length; i++) {
            s[i] = dims[dims.length - 1 - i];
        }
        if (extra == 1) {
            s[s.length - 1] = image.components();
        }
        return of(NpyDtype.of(image.dataType()), s, image.data());
    }

    static long byteSize(NpyDtype dtype, int[] shape) {
        long n = dtype.bytes();
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n > MedicalImage.MAX_BYTES) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype.numpyName()
                    + " needs " + n + " bytes, more than one array can hold");
        }
        return n;
    }

    public NpyDtype dtype() {
        return dtype;
    }

    /** The shape in NumPy order (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of dimensions (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code axis} (NumPy order). */
    public int dim(int axis) {
        return shape[axis];
    }

    /** Number of elements (1 for a scalar, 0 if a dimension is 0). */
    public long size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** The values, little-endian, C order, read-only, positioned at 0 (a fresh view; no copy). */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Element {@code flatIndex} (C order) as a double: bool as 0/1, uint64 rounded to the nearest double. */
    public double get(long flatIndex) {
        if (flatIndex < 0 || flatIndex >= size()) {
            throw new IndexOutOfBoundsException("element " + flatIndex + " outside 0.." + (size() - 1)
                    + " of shape " + Arrays.toString(shape));
        }
        return NpyValues.get(dtype, data, (int) (flatIndex * dtype.bytes()));
    }

    /** Element at a multi-index (NumPy order), as {@link #get(long)}. */
    public double get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " axes, the array " + shape.length);
        }
        long flat = 0;
        for (int a = 0; a < shape.length; a++) {
            if (index[a] < 0 || index[a] >= shape[a]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape "
                        + Arrays.toString(shape));
            }
            flat = flat * shape[a] + index[a];
        }
        return get(flat);
    }

    /** All values as float (C order): exact for float32 and float16 arrays, rounded for wider types. */
    public float[] toFloatArray() {
        float[] out = new float[checkedSize()];
        if (dtype == NpyDtype.FLOAT32) {
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) get(i);
        }
        return out;
    }

    /** All values as double (C order): exact except uint64/int64 beyond 2^53. */
    public double[] toDoubleArray() {
        double[] out = new double[checkedSize()];
        if (dtype == NpyDtype.FLOAT64) {
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    /**
     * The values as a float32 tensor of the same shape (converted as {@link #toFloatArray()}).
     *
     * @throws IllegalArgumentException if the array is 0-dimensional or has a zero-size dimension
     */
    public FloatTensor toFloatTensor() {
        if (shape.length == 0 || size() == 0) {
            throw new IllegalArgumentException("a tensor needs at least one axis and no empty ones, shape is "
                    + Arrays.toString(shape));
        }
        return FloatTensor.wrap(shape, toFloatArray());
    }

    private int checkedSize() {
        long n = size();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("array of " + n + " elements is too large for one Java array");
        }
        return (int) n;
    }

    /**
     * This array as an image of dims {@code (dn, ..., d0)} (see the class comment), 1 component; bool becomes
     * uint8 0/1. Unit spacing, identity rescale. The values are shared, not copied (bool values other than 0/1
     * are normalised, which copies).
     *
     * @throws IllegalArgumentException if the array is 0-dimensional or has a zero-size dimension
     */
    public MedicalImage toMedicalImage() {
        return toMedicalImage(1);
    }

    /**
     * As {@link #toMedicalImage()}, but with the last NumPy axis as the voxel's components (1 to 4): shape
     * (H, W, 3) gives an RGB image of dims (W, H).
     *
     * @throws IllegalArgumentException if the last axis does not have {@code components} elements
     */
    public MedicalImage toMedicalImage(int components) {
        if (shape.length == 0 || size() == 0) {
            throw new IllegalArgumentException("an image needs at least one axis and no empty ones, shape is "
                    + Arrays.toString(shape));
        }
        int[] s = shape;
        if (components != 1) {
            if (shape.length < 2 || shape[shape.length - 1] != components) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has no last axis of "
                        + components + " components");
            }
            s = Arrays.copyOf(shape, shape.length - 1);
        }
        int[] dims = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            dims[i] = s[s.length - 1 - i];
        }
        DataType type = dtype.toDataType();
        ByteBuffer values = data();
        if (dtype == NpyDtype.BOOL) {
            byte[] b = new byte[values.remaining()];
            values.get(b);
            for (int i = 0; i < b.length; i++) {
                b[i] = b[i] != 0 ? (byte) 1 : 0;
            }
            values = ByteBuffer.wrap(b);
        }
        return MedicalImage.builder(type, dims).components(components).data(values).build();
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype.numpyName() + " " + Arrays.toString(shape) + "]";
    }
}
