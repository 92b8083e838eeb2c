package dev.medsam.core.metrics;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.metrics.internal.Components;
import dev.medsam.core.metrics.internal.LabelArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * A label map on a 2D or 3D grid: one non-negative integer per voxel, 0 for background, 1, 2, ... for objects.
 * The input of {@link TumourBurden} and {@link SegmentationMetrics}.
 *
 * <h2>Layout and geometry</h2>
 * Voxels are indexed {@code (x, y[, z])} = (column, row, slice), x fastest, as in {@link MedicalImage}: voxel
 * {@code (x, y, z)} is flat index {@code x + nx * (y + ny * z)}. {@link #spacingMm()} has one value per axis
 * (the lengths of the affine's columns); {@link #affine()} maps voxel indices to patient millimetres in LPS.
 * A volume made from plain arrays ({@link #of(int[], double[], int[])}) gets an axis-aligned affine with that
 * spacing and voxel (0, 0, 0) at the origin.
 *
 * <h2>2D or 3D</h2>
 * The rank is that of the grid given: a {@code MedicalImage} of rank 2 is 2D, of rank 3 (or 4 and more with
 * trailing axes of size 1) is 3D, even when it has a single slice. Metrics follow the rank: 2D grids get
 * contour lengths and 8-connectivity, 3D grids surface areas and 26-connectivity. (The MedSAM challenge scores
 * its 2D cases as one-slice 3D volumes with spacing 1 mm; give such a volume to get its numbers.)
 *
 * <p>Immutable and thread-safe. Lives on the Java heap: one byte per voxel when every label is at most 255,
 * else four.
 */
public final class LabelVolume {

    private final int[] dims;
    private final double[] spacing;
    private final Affine affine;
    private final LabelArray labels;
    /** Header facts of the image this came from (empty for plain arrays), kept for writing results. */
    private final Map<String, String> attributes;
    private final String modality;

    private LabelVolume(int[] dims, double[] spacing, Affine affine, LabelArray labels, Map<String, String> attributes,
                        String modality) {
        this.dims = dims;
        this.spacing = spacing;
        this.affine = affine;
        this.labels = labels;
        this.attributes = attributes;
        this.modality = modality;
    }

    /**
     * A label volume from plain labels (copied), x fastest.
     *
     * @param dims      (nx, ny) or (nx, ny, nz), all positive
     * @param spacingMm voxel size in mm along each axis, positive and finite
     * @param labels    {@code nx * ny [* nz]} labels, each 0 or positive
     * @throws IllegalArgumentException naming the value that is wrong: dims, spacing, length, or the first negative
     *                                  label and its index
     */
    public static LabelVolume of(int[] dims, double[] spacingMm, int[] labels) {
        Objects.requireNonNull(labels, "labels");
        checkGrid(dims, spacingMm, labels.length);
        return new LabelVolume(dims.clone(), spacingMm.clone(), affineFor(spacingMm), LabelArray.ofInts(labels.clone()),
                Map.of(), null);
    }

    /**
     * A label volume from unsigned bytes (copied; {@code (byte) 200} is label 200), x fastest. A
     * {@code BinaryMask}'s {@code toArray()} fits here for a one-label 2D map.
     *
     * @throws IllegalArgumentException as {@link #of(int[], double[], int[])}
     */
    public static LabelVolume ofUnsignedBytes(int[] dims, double[] spacingMm, byte[] labels) {
        Objects.requireNonNull(labels, "labels");
        checkGrid(dims, spacingMm, labels.length);
        return new LabelVolume(dims.clone(), spacingMm.clone(), affineFor(spacingMm),
                LabelArray.wrapUnsignedBytes(labels.clone()), Map.of(), null);
    }

    /**
     * The labels of a segmentation image (a NIfTI label map as medsam-io reads it, for example), with its
     * spacing and affine. Values are the image's real values ({@link MedicalImage#scaled(long)}); float images
     * are fine when every value is a whole number.
     *
     * @throws IllegalArgumentException if the image has more than one component, is not 2D or 3D (a fourth axis
     *                                  must have size 1), or holds a value that is negative, not whole or above
     *                                  {@link Integer#MAX_VALUE} (naming the voxel and the value)
     */
    public static LabelVolume from(MedicalImage image) {
        Objects.requireNonNull(image, "image");
        if (image.components() != 1) {
            throw new IllegalArgumentException("a label image has one value per voxel, this one has " + image.components()
                    + " (" + image + ")");
        }
        int[] imageDims = image.dims();
        int rank = imageDims.length;
        while (rank > 3 && imageDims[rank - 1] == 1) {
            rank--;
        }
        if (rank < 2 || rank > 3) {
            throw new IllegalArgumentException("a label image must be 2D or 3D, got dims " + Arrays.toString(imageDims));
        }
        int[] dims = Arrays.copyOf(imageDims, rank);
        double[] spacing = Arrays.copyOf(image.spacing(), rank);
        LabelArray labels = readLabels(image, dims);
        return new LabelVolume(dims, spacing, image.affine(CoordinateSystem.LPS), labels, image.attributes(),
                image.modality().orElse(null));
    }

    private static LabelArray readLabels(MedicalImage image, int[] dims) {
        long count = image.voxelCount();
        if (count > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("label image " + image + " has too many voxels (" + count + ")");
        }
        int n = (int) count;
        DataType type = image.dataType();
        if (type == DataType.UINT8 && image.rescale().isIdentity()) {
            byte[] b = new byte[n];
            image.data().get(b);
            return LabelArray.wrapUnsignedBytes(b);
        }
        int[] out = new int[n];
        ByteBuffer data = image.data().order(ByteOrder.LITTLE_ENDIAN);
        boolean identity = image.rescale().isIdentity();
        for (int i = 0; i < n; i++) {
            double v;
            if (identity && type == DataType.INT16) {
                v = data.getShort(2 * i);
            } else if (identity && type == DataType.UINT16) {
                v = data.getShort(2 * i) & 0xFFFF;
            } else {
                v = image.scaled(i);
            }
            if (!(v >= 0) || v > Integer.MAX_VALUE || v != Math.rint(v)) {
                throw new IllegalArgumentException("voxel " + voxelName(i, dims) + " of " + image + " holds " + v
                        + "; labels must be whole numbers from 0 to " + Integer.MAX_VALUE);
            }
            out[i] = (int) v;
        }
        return LabelArray.ofInts(out);
    }

    private static String voxelName(int index, int[] dims) {
        StringBuilder sb = new StringBuilder("(");
        long rest = index;
        for (int a = 0; a < dims.length; a++) {
            sb.append(a == 0 ? "" : ", ").append(rest % dims[a]);
            rest /= dims[a];
        }
        return sb.append(')').toString();
    }

    private static void checkGrid(int[] dims, double[] spacingMm, int length) {
        Objects.requireNonNull(dims, "dims");
        Objects.requireNonNull(spacingMm, "spacing");
        if (dims.length != 2 && dims.length != 3) {
            throw new IllegalArgumentException("a label volume is 2D or 3D, got dims " + Arrays.toString(dims));
        }
        if (spacingMm.length != dims.length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " need " + dims.length
                    + " spacing values, got " + Arrays.toString(spacingMm));
        }
        long n = 1;
        for (int a = 0; a < dims.length; a++) {
            if (dims[a] <= 0) {
                throw new IllegalArgumentException("dimension " + a + " is " + dims[a] + "; all must be positive ("
                        + Arrays.toString(dims) + ")");
            }
            if (!(spacingMm[a] > 0) || !Double.isFinite(spacingMm[a])) {
                throw new IllegalArgumentException("spacing along axis " + a + " is " + spacingMm[a]
                        + " mm; it must be positive and finite");
            }
            n *= dims[a];
        }
        if (n != length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " need " + n + " labels, got " + length);
        }
    }

    private static Affine affineFor(double[] spacing) {
        double sz = spacing.length > 2 ? spacing[2] : 1;
        return Affine.ofSpacing(CoordinateSystem.LPS, new double[] {spacing[0], spacing[1], sz}, new double[3]);
    }

    /** 2 or 3. */
    public int rank() {
        return dims.length;
    }

    /** Grid size per axis, x first (a copy). */
    public int[] dims() {
        return dims.clone();
    }

    /** Voxel size in mm per axis, x first (a copy). */
    public double[] spacingMm() {
        return spacing.clone();
    }

    /** Voxel indices to patient millimetres, LPS. For a 2D grid the third column is the plane's normal. */
    public Affine affine() {
        return affine;
    }

    /** Number of voxels. */
    public int voxelCount() {
        return labels.length();
    }

    /** Label at voxel (x, y) of a 2D volume. */
    public int label(int x, int y) {
        if (dims.length != 2) {
            throw new IllegalStateException("label(x, y) is for 2D volumes; this one has dims " + Arrays.toString(dims));
        }
        return labels.get(index(x, y, 0));
    }

    /** Label at voxel (x, y, z) of a 3D volume. */
    public int label(int x, int y, int z) {
        if (dims.length != 3) {
            throw new IllegalStateException("label(x, y, z) is for 3D volumes; this one has dims " + Arrays.toString(dims));
        }
        return labels.get(index(x, y, z));
    }

    private int index(int x, int y, int z) {
        int nz = dims.length > 2 ? dims[2] : 1;
        if (x < 0 || y < 0 || z < 0 || x >= dims[0] || y >= dims[1] || z >= nz) {
            throw new IndexOutOfBoundsException("voxel (" + x + ", " + y + (dims.length > 2 ? ", " + z : "")
                    + ") is outside " + Arrays.toString(dims));
        }
        return x + dims[0] * (y + dims[1] * z);
    }

    /** Largest label present (0 when all background). */
    public int maxLabel() {
        return labels.maxLabel();
    }

    /** The distinct non-zero labels present, ascending. */
    public int[] labelsPresent() {
        if (labels.maxLabel() <= 0xFFFF) {
            boolean[] seen = new boolean[labels.maxLabel() + 1];
            for (int i = 0; i < labels.length(); i++) {
                seen[labels.get(i)] = true;
            }
            int count = 0;
            for (int l = 1; l < seen.length; l++) {
                count += seen[l] ? 1 : 0;
            }
            int[] out = new int[count];
            int j = 0;
            for (int l = 1; l < seen.length; l++) {
                if (seen[l]) {
                    out[j++] = l;
                }
            }
            return out;
        }
        return Arrays.stream(labels.toIntArray()).filter(l -> l != 0).distinct().sorted().toArray();
    }

    /** All labels as ints, x fastest (a copy). */
    public int[] toIntArray() {
        return labels.toIntArray();
    }

    /**
     * This volume without the connected components of fewer than {@code minVoxels} voxels: their voxels become
     * background. Components are per label, 26-connected in 3D and 8-connected in 2D; this is cc3d's
     * {@code dust(threshold=minVoxels)}, the first step of MedSAM's label cleanup (1000 voxels in 3D).
     *
     * @throws IllegalArgumentException if {@code minVoxels} is negative
     */
    public LabelVolume withoutComponentsSmallerThan(long minVoxels) {
        return clean(minVoxels, Components.Mode.VOLUME);
    }

    /**
     * This 3D volume without, in each z slice, the 8-connected components of fewer than {@code minPixels}
     * pixels. MedSAM's cleanup runs this after {@link #withoutComponentsSmallerThan(long)} (100 pixels). For a
     * 2D volume this is the same as {@link #withoutComponentsSmallerThan(long)}.
     *
     * @throws IllegalArgumentException if {@code minPixels} is negative
     */
    public LabelVolume withoutSliceComponentsSmallerThan(long minPixels) {
        return clean(minPixels, Components.Mode.SLICES);
    }

    private LabelVolume clean(long min, Components.Mode mode) {
        if (min < 0) {
            throw new IllegalArgumentException("minimum component size must be 0 or more, got " + min);
        }
        Components.Cleaned cleaned = Components.find(labels, dims, mode).removeSmallerThan(labels, min);
        if (cleaned.removedComponents() == 0) {
            return this;
        }
        return new LabelVolume(dims, spacing, affine, cleaned.labels(), attributes, modality);
    }

    /**
     * These labels as a {@link MedicalImage} for writing: the smallest type that holds them (uint8, uint16, else
     * int32), with this volume's dims and affine, and the modality and header attributes of the image it came
     * from, if any.
     */
    public MedicalImage toMedicalImage() {
        int max = labels.maxLabel();
        DataType type = max <= 0xFF ? DataType.UINT8 : max <= 0xFFFF ? DataType.UINT16 : DataType.INT32;
        int n = labels.length();
        ByteBuffer buf = ByteBuffer.allocate(n * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int v = labels.get(i);
            switch (type) {
                case UINT8 -> buf.put(i, (byte) v);
                case UINT16 -> buf.putShort(2 * i, (short) v);
                default -> buf.putInt(4 * i, v);
            }
        }
        MedicalImage.Builder b = MedicalImage.builder(type, dims).affine(affine).modality(modality);
        attributes.forEach(b::attribute);
        return b.data(buf).build();
    }

    /** Internal access for the algorithms in this package. */
    LabelArray labels() {
        return labels;
    }

    @Override
    public String toString() {
        return "LabelVolume[" + Arrays.toString(dims) + ", spacing " + Arrays.toString(spacing) + " mm, max label "
                + labels.maxLabel() + "]";
    }
}
