package dev.medsam.core.image;

import dev.medsam.core.image.internal.HalfFloats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A 2D image, 3D volume or 4D series: stored values in their own {@link DataType}, with geometry.
 *
 * <h2>Layout</h2>
 * {@link #dims()} lists the axes fastest first: {@code (x, y[, z[, t]])} = (columns, rows, slices, time), the
 * order of NIfTI's dim[1..] and of DICOM pixel data. Values are stored little-endian in that order with the
 * {@link #components()} of a voxel interleaved (1 for grey, 3 for RGB): the flat index of voxel
 * {@code (x, y, z)}, component {@code c} is {@code c + components * (x + nx * (y + ny * z))}.
 *
 * <h2>Values</h2>
 * {@link #get(long)} is the stored value; {@link #scaled(long)} applies the {@link #rescale()} (Hounsfield
 * units for CT). Nothing is converted on load, so memory is the stored size.
 *
 * <h2>Geometry</h2>
 * {@link #affine(CoordinateSystem)} maps voxel indices (i, j, k) of the first three axes to millimetres, in
 * LPS or RAS. 2D images have an affine too (unit spacing unless the file says otherwise).
 *
 * <p>Immutable and thread-safe. Lives on the Java heap.
 */
public final class MedicalImage {

    /** Most bytes one image can hold (a Java array's limit). */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private final DataType dataType;
    private final int[] dims;
    private final int components;
    private final ByteBuffer data;
    private final Rescale rescale;
    private final Affine affine;
    private final Window window;
    private final String modality;
    private final Map<String, String> attributes;

    private MedicalImage(Builder b, ByteBuffer data) {
        this.dataType = b.dataType;
        this.dims = b.dims;
        this.components = b.components;
        this.data = data;
        this.rescale = b.rescale;
        this.affine = b.affine.to(CoordinateSystem.LPS);
        this.window = b.window;
        this.modality = b.modality;
        this.attributes = Map.copyOf(b.attributes);
    }

    /**
     * A builder for an image of {@code type} with {@code dims} (fastest first: columns, rows, slices, ...).
     *
     * @throws IllegalArgumentException if there are no dims, a dim is not positive, or the image would exceed
     *                                  {@link #MAX_BYTES}
     */
    public static Builder builder(DataType type, int... dims) {
        return new Builder(type, dims);
    }

    /** A new builder with everything of this image but its values (for a mask on the same grid). */
    public Builder toBuilder(DataType type) {
        Builder b = new Builder(type, dims).components(components).affine(affine).modality(modality);
        window().ifPresent(b::window);
        b.attributes.putAll(attributes);
        return b;
    }

    public DataType dataType() {
        return dataType;
    }

    /** The dimensions, fastest first (a copy). */
    public int[] dims() {
        return dims.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** Size of axis {@code axis}, or 1 beyond the last axis. */
    public int dim(int axis) {
        return axis < dims.length ? dims[axis] : 1;
    }

    /** Columns (dim 0). */
    public int width() {
        return dim(0);
    }

    /** Rows (dim 1). */
    public int height() {
        return dim(1);
    }

    /** Values per voxel: 1 (grey) or 3 (RGB). */
    public int components() {
        return components;
    }

    /** Number of voxels (product of dims). */
    public long voxelCount() {
        return elementCount(dims);
    }

    /** Number of stored values ({@code voxelCount() * components()}). */
    public long valueCount() {
        return voxelCount() * components;
    }

    /** The stored bytes, little-endian, read-only, positioned at 0 (a fresh view; no copy). */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public Rescale rescale() {
        return rescale;
    }

    /** Voxel-to-patient affine in {@code system}. */
    public Affine affine(CoordinateSystem system) {
        return affine.to(system);
    }

    /** Voxel spacing in mm along the first three axes. */
    public double[] spacing() {
        return affine.spacing();
    }

    /** The display window the file suggests, if any. */
    public Optional<Window> window() {
        return Optional.ofNullable(window);
    }

    /** DICOM-style modality ({@code CT}, {@code MR}, ...) if known. */
    public Optional<String> modality() {
        return Optional.ofNullable(modality);
    }

    /**
     * Format-specific facts a writer may need to reproduce the source exactly (for example NIfTI's qform and
     * sform codes), keyed {@code format.name}. Read-only.
     */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** The stored value at flat index {@code index} (see the class comment for the layout). */
    public double get(long index) {
        if (index < 0 || index >= valueCount()) {
            throw new IndexOutOfBoundsException("value index " + index + " outside 0.." + (valueCount() - 1));
        }
        int pos = Math.toIntExact(index * dataType.bytes());
        return switch (dataType) {
            case UINT8 -> data.get(pos) & 0xFF;
            case INT8 -> data.get(pos);
            case UINT16 -> data.getShort(pos) & 0xFFFF;
            case INT16 -> data.getShort(pos);
            case UINT32 -> data.getInt(pos) & 0xFFFFFFFFL;
            case INT32 -> data.getInt(pos);
            case UINT64 -> unsignedLongToDouble(data.getLong(pos));
            case INT64 -> data.getLong(pos);
            case FLOAT16 -> HalfFloats.toFloat(data.getShort(pos));
            case FLOAT32 -> data.getFloat(pos);
            case FLOAT64 -> data.getDouble(pos);
        };
    }

    /** The real value at flat index {@code index}: {@code rescale().apply(get(index))}. */
    public double scaled(long index) {
        return rescale.apply(get(index));
    }

    /** Flat value index of voxel (x, y, z), component c. */
    public long index(int x, int y, int z, int c) {
        if (x < 0 || x >= dim(0) || y < 0 || y >= dim(1) || z < 0 || z >= dim(2) || c < 0 || c >= components) {
            throw new IndexOutOfBoundsException("voxel (" + x + ", " + y + ", " + z + ") component " + c
                    + " outside " + Arrays.toString(dims) + " x " + components);
        }
        return c + (long) components * (x + (long) dim(0) * (y + (long) dim(1) * z));
    }

    /** All stored values as doubles, in storage order. */
    public double[] toDoubleArray() {
        long n = valueCount();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("image of " + n + " values is too large for one double array");
        }
        double[] out = new double[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    /** All real (rescaled) values as doubles, in storage order. */
    public double[] toScaledArray() {
        double[] out = toDoubleArray();
        if (!rescale.isIdentity()) {
            for (int i = 0; i < out.length; i++) {
                out[i] = rescale.apply(out[i]);
            }
        }
        return out;
    }

    /**
     * One 2D plane of a 3D (or 4D) image, perpendicular to {@code axis}: for axis 2 the (x, y) plane at slice
     * {@code index}; for axis 0 the (y, z) plane; for axis 1 the (x, z) plane. The remaining axes keep their
     * order. The plane keeps the rescale, window and modality, and an affine whose columns are the kept axes
     * and whose origin is the plane's first voxel. For 4D input, {@code time} selects the volume.
     *
     * @throws IndexOutOfBoundsException naming the axis and index if out of range
     */
    public MedicalImage plane(int axis, int index, int time) {
        if (axis < 0 || axis > 2) {
            throw new IndexOutOfBoundsException("slicing axis " + axis + " outside 0..2");
        }
        if (index < 0 || index >= dim(axis)) {
            throw new IndexOutOfBoundsException("slice " + index + " outside 0.." + (dim(axis) - 1) + " along axis " + axis);
        }
        if (time < 0 || time >= dim(3)) {
            throw new IndexOutOfBoundsException("time index " + time + " outside 0.." + (dim(3) - 1));
        }
        for (int a = 4; a < dims.length; a++) {
            if (dims[a] != 1) {
                throw new IllegalArgumentException("cannot take planes of a " + dims.length + "D image with dims "
                        + Arrays.toString(dims));
            }
        }
        int[] kept = axis == 0 ? new int[] {1, 2} : axis == 1 ? new int[] {0, 2} : new int[] {0, 1};
        int w = dim(kept[0]);
        int h = dim(kept[1]);
        int bytesPerVoxel = components * dataType.bytes();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), bytesPerVoxel)];
        int[] pos = new int[3];
        pos[axis] = index;
        long timeOffset = (long) time * dim(0) * dim(1) * dim(2);
        ByteBuffer src = data.duplicate();
        for (int v = 0; v < h; v++) {
            for (int u = 0; u < w; u++) {
                pos[kept[0]] = u;
                pos[kept[1]] = v;
                long voxel = timeOffset + pos[0] + (long) dim(0) * (pos[1] + (long) dim(1) * pos[2]);
                src.position(Math.toIntExact(voxel * bytesPerVoxel));
                src.get(out, (v * w + u) * bytesPerVoxel, bytesPerVoxel);
            }
        }
        double[] m = affine.toArray();
        double[] origin = new double[3];
        for (int r = 0; r < 3; r++) {
            origin[r] = m[r * 4 + 3] + m[r * 4 + axis] * index;
        }
        double[] planeAffine = {
            m[kept[0]], m[kept[1]], m[axis], origin[0],
            m[4 + kept[0]], m[4 + kept[1]], m[4 + axis], origin[1],
            m[8 + kept[0]], m[8 + kept[1]], m[8 + axis], origin[2],
            0, 0, 0, 1};
        Builder b = new Builder(dataType, new int[] {w, h}).components(components)
                .affine(Affine.of(CoordinateSystem.LPS, planeAffine)).rescale(rescale).modality(modality);
        window().ifPresent(b::window);
        return b.data(ByteBuffer.wrap(out)).build();
    }

    /** The 3D volume at time index {@code time} of a 4D image (the image itself if it has no time axis). */
    public MedicalImage volume(int time) {
        if (time < 0 || time >= dim(3)) {
            throw new IndexOutOfBoundsException("time index " + time + " outside 0.." + (dim(3) - 1));
        }
        if (dims.length <= 3) {
            return this;
        }
        long bytes = (long) dim(0) * dim(1) * dim(2) * components * dataType.bytes();
        byte[] out = new byte[Math.toIntExact(bytes)];
        data.duplicate().position(Math.toIntExact(bytes * time)).get(out);
        Builder b = toBuilder(dataType);
        b.dims = new int[] {dim(0), dim(1), dim(2)};
        return b.rescale(rescale).data(ByteBuffer.wrap(out)).build();
    }

    @Override
    public String toString() {
        return "MedicalImage[" + dataType.numpyName() + " " + Arrays.toString(dims)
                + (components == 1 ? "" : " x" + components) + ", spacing " + Arrays.toString(spacing()) + "]";
    }

    static long elementCount(int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    private static double unsignedLongToDouble(long v) {
        double d = (double) (v >>> 1) * 2.0;
        return d + (v & 1);
    }

    /**
     * Builder for {@link MedicalImage}. Values are given once, with {@link #data(ByteBuffer)}; everything else
     * has a default (1 component, identity rescale, unit-spacing LPS affine at the origin, no window).
     */
    public static final class Builder {
        private final DataType dataType;
        private int[] dims;
        private int components = 1;
        private Rescale rescale = Rescale.IDENTITY;
        private Affine affine = Affine.identity();
        private Window window;
        private String modality;
        private final Map<String, String> attributes = new TreeMap<>();
        private ByteBuffer data;

        private Builder(DataType dataType, int[] dims) {
            this.dataType = Objects.requireNonNull(dataType, "data type");
            Objects.requireNonNull(dims, "dims");
            if (dims.length == 0) {
                throw new IllegalArgumentException("an image needs at least one dimension");
            }
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] <= 0) {
                    throw new IllegalArgumentException("dimension " + i + " is " + dims[i] + "; all must be positive ("
                            + Arrays.toString(dims) + ")");
                }
            }
            this.dims = dims.clone();
            checkSize();
        }

        private void checkSize() {
            double bytes = (double) elementCount(dims) * components * dataType.bytes();
            if (bytes > MAX_BYTES) {
                throw new IllegalArgumentException("an image of " + Arrays.toString(dims) + " x " + components + " "
                        + dataType.numpyName() + " needs " + (long) bytes + " bytes, more than the " + MAX_BYTES
                        + " one image can hold");
            }
        }

        /** Values per voxel: 1 (grey), 3 (RGB) or 4 (RGBA). */
        public Builder components(int components) {
            if (components < 1 || components > 4) {
                throw new IllegalArgumentException("components must be 1..4, got " + components);
            }
            this.components = components;
            checkSize();
            return this;
        }

        public Builder rescale(Rescale rescale) {
            this.rescale = Objects.requireNonNull(rescale, "rescale");
            return this;
        }

        /** The voxel-to-patient affine, in either coordinate system. */
        public Builder affine(Affine affine) {
            this.affine = Objects.requireNonNull(affine, "affine");
            return this;
        }

        public Builder window(Window window) {
            this.window = Objects.requireNonNull(window, "window");
            return this;
        }

        /** The modality, or {@code null} for unknown. */
        public Builder modality(String modality) {
            this.modality = modality == null || modality.isBlank() ? null : modality.trim();
            return this;
        }

        /** A format-specific attribute (see {@link MedicalImage#attributes()}). */
        public Builder attribute(String key, String value) {
            attributes.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The values, little-endian in the layout of {@link MedicalImage}. The image takes the buffer over
         * (the caller must not change it afterwards); its remaining bytes must be exactly the image's size.
         */
        public Builder data(ByteBuffer littleEndianValues) {
            this.data = Objects.requireNonNull(littleEndianValues, "data").slice().order(ByteOrder.LITTLE_ENDIAN);
            return this;
        }

        /**
         * @throws IllegalStateException    if no data was given
         * @throws IllegalArgumentException if the data size does not match dims, components and type
         */
        public MedicalImage build() {
            if (data == null) {
                throw new IllegalStateException("no pixel data given: call data(...) first");
            }
            long expected = elementCount(dims) * components * dataType.bytes();
            if (data.remaining() != expected) {
                throw new IllegalArgumentException(Arrays.toString(dims) + " x " + components + " "
                        + dataType.numpyName() + " needs " + expected + " bytes, got " + data.remaining());
            }
            return new MedicalImage(this, data);
        }
    }
}
