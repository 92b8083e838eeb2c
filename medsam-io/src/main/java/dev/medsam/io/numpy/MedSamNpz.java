package dev.medsam.io.numpy;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.MalformedImageException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The npz layout of MedSAM's preprocessing and of the CVPR 2024 "MedSAM on laptop" challenge:
 * <ul>
 *   <li>{@code imgs}: the image, (D, H, W) for a volume, (H, W, 3) or (H, W) for a 2D image;</li>
 *   <li>{@code gts}: the ground-truth labels, same spatial shape (optional);</li>
 *   <li>{@code boxes}: (N, 6) rows [x0, y0, z0, x1, y1, z1] for volumes (z1 inclusive), (N, 4) rows
 *       [x0, y0, x1, y1] in 2D (optional);</li>
 *   <li>{@code spacing}: voxel spacing in mm (optional), in an order that depends on who wrote the file (see
 *       {@link SpacingOrder});</li>
 *   <li>{@code segs}: the labels 1..N a method outputs, same shape as {@code imgs} without colour (optional).</li>
 * </ul>
 * Arrays map to images as {@link NpyArray#toMedicalImage()} does: (D, H, W) becomes dims (W, H, D).
 *
 * <p>Immutable and thread-safe.
 * <pre>{@code
 * MedSamNpz c = MedSamNpz.read(Path.of("case.npz"));
 * MedicalImage ct = c.image(SpacingOrder.ARRAY_ORDER);   // spacing as stored in array order (z, y, x)
 * MedSamNpz.writeSegs(Path.of("case_seg.npz"), labels);
 * }</pre>
 */
public final class MedSamNpz {

    private static final System.Logger LOG = System.getLogger(MedSamNpz.class.getName());

    private final Path source;
    private final NpyArray imgs;
    private final NpyArray gts;
    private final NpyArray boxes;
    private final NpyArray spacing;
    private final NpyArray segs;

    private MedSamNpz(Path source, Map<String, NpyArray> arrays) {
        this.source = source;
        this.imgs = arrays.get("imgs");
        this.gts = arrays.get("gts");
        this.boxes = arrays.get("boxes");
        this.spacing = arrays.get("spacing");
        this.segs = arrays.get("segs");
    }

    /**
     * Reads a MedSAM-style npz.
     *
     * @throws MalformedImageException if it has no {@code imgs} array, or it is not a 2D or 3D image
     */
    public static MedSamNpz read(Path file) throws IOException {
        Map<String, NpyArray> arrays = Npz.read(file);
        NpyArray imgs = arrays.get("imgs");
        if (imgs == null) {
            throw new MalformedImageException(file, "has no 'imgs' array (it has " + arrays.keySet() + ")");
        }
        if (imgs.rank() < 2 || imgs.rank() > 3 || imgs.size() == 0) {
            throw new MalformedImageException(file, "'imgs' has shape " + Arrays.toString(imgs.shape())
                    + "; expected (D, H, W), (H, W, 3) or (H, W)");
        }
        MedSamNpz c = new MedSamNpz(file, arrays);
        NpyArray boxes = arrays.get("boxes");
        if (boxes != null && boxes.size() > 0
                && (boxes.rank() != 2 || (boxes.dim(1) != 4 && boxes.dim(1) != 6))) {
            throw new MalformedImageException(file, "'boxes' has shape " + Arrays.toString(boxes.shape())
                    + "; expected (N, 4) or (N, 6)");
        }
        for (String name : new String[] {"gts", "segs"}) {
            NpyArray a = arrays.get(name);
            if (a != null && !Arrays.equals(a.shape(), c.labelShape())) {
                throw new MalformedImageException(file, "'" + name + "' has shape " + Arrays.toString(a.shape())
                        + " but 'imgs' " + Arrays.toString(imgs.shape()) + " needs labels of shape "
                        + Arrays.toString(c.labelShape()));
            }
        }
        return c;
    }

    /** The shape labels must have: that of imgs, without the colour axis of a 2D RGB image. */
    private int[] labelShape() {
        int[] expected = imgs.shape();
        return !isVolume() && imgs.rank() == 3 ? Arrays.copyOf(expected, 2) : expected;
    }

    public NpyArray imgs() {
        return imgs;
    }

    public Optional<NpyArray> gts() {
        return Optional.ofNullable(gts);
    }

    public Optional<NpyArray> boxes() {
        return Optional.ofNullable(boxes);
    }

    /** The spacing array as stored (its order is not known from the file: see {@link SpacingOrder}). */
    public Optional<NpyArray> spacing() {
        return Optional.ofNullable(spacing);
    }

    public Optional<NpyArray> segs() {
        return Optional.ofNullable(segs);
    }

    /**
     * Whether {@code imgs} is a volume (D, H, W) rather than a 2D image: rank 3, unless the last axis has 3
     * elements and the boxes (if any) have 4 columns, which is the 2D RGB layout (H, W, 3).
     */
    public boolean isVolume() {
        if (imgs.rank() != 3) {
            return false;
        }
        boolean rgbShape = imgs.dim(2) == 3;
        boolean boxes2d = boxes != null && boxes.rank() == 2 && boxes.dim(1) == 4;
        boolean boxes3d = boxes != null && boxes.rank() == 2 && boxes.dim(1) == 6;
        return boxes3d || !(rgbShape && (boxes == null || boxes2d));
    }

    /**
     * {@code imgs} as an image (dims (W, H, D), or (W, H) with 1 or 3 components) with the spacing of the
     * {@code spacing} array read in {@code order}; unit spacing, with a logged warning, if it is absent or
     * unusable. The origin is 0 and the axes are LPS-aligned: the layout has no orientation.
     */
    public MedicalImage image(SpacingOrder order) {
        return withSpacing(isVolume() || imgs.rank() == 2 ? imgs.toMedicalImage() : imgs.toMedicalImage(3), order,
                w -> LOG.log(System.Logger.Level.WARNING, w));
    }

    /** {@code gts} as a label image on the grid of {@link #image(SpacingOrder)}. */
    public Optional<MedicalImage> groundTruth(SpacingOrder order) {
        return labels(gts, order);
    }

    /** {@code segs} as a label image on the grid of {@link #image(SpacingOrder)}. */
    public Optional<MedicalImage> segmentation(SpacingOrder order) {
        return labels(segs, order);
    }

    private Optional<MedicalImage> labels(NpyArray a, SpacingOrder order) {
        // shapes were checked against imgs in read()
        if (a == null) {
            return Optional.empty();
        }
        return Optional.of(withSpacing(a.toMedicalImage(), order, w -> LOG.log(System.Logger.Level.WARNING, w)));
    }

    /** Spacing along the image's x, y (and z) in mm, if the file has a usable spacing array. */
    public Optional<double[]> spacing(SpacingOrder order) {
        return spacingXyz(order, w -> { });
    }

    private Optional<double[]> spacingXyz(SpacingOrder order, Consumer<String> warnings) {
        Objects.requireNonNull(order, "order");
        if (spacing == null) {
            return Optional.empty();
        }
        int axes = isVolume() ? 3 : 2;
        if (spacing.rank() != 1 || spacing.dim(0) != axes) {
            warnings.accept(source + ": 'spacing' has shape " + Arrays.toString(spacing.shape()) + " but the image has "
                    + axes + " spatial axes; using unit spacing");
            return Optional.empty();
        }
        double[] s = spacing.toDoubleArray();
        for (double v : s) {
            if (!Double.isFinite(v) || v <= 0) {
                warnings.accept(source + ": 'spacing' " + Arrays.toString(s) + " is not all positive; using unit spacing");
                return Optional.empty();
            }
        }
        double[] xyz = new double[axes];
        for (int i = 0; i < axes; i++) {
            xyz[i] = order == SpacingOrder.XYZ ? s[i] : s[axes - 1 - i];
        }
        return Optional.of(xyz);
    }

    private MedicalImage withSpacing(MedicalImage image, SpacingOrder order, Consumer<String> warnings) {
        Optional<double[]> s = spacingXyz(order, warnings);
        if (s.isEmpty()) {
            return image;
        }
        double[] xyz = s.get();
        double[] full = {xyz[0], xyz[1], xyz.length > 2 ? xyz[2] : 1};
        MedicalImage.Builder b = image.toBuilder(image.dataType())
                .affine(Affine.ofSpacing(CoordinateSystem.LPS, full, new double[] {0, 0, 0}));
        return b.data(image.data()).build();
    }

    /**
     * Writes a method's output as {@code np.savez_compressed(file, segs=...)}: {@code labels} (dims (W, H, D) or
     * (W, H), one component) as an array of shape (D, H, W) or (H, W).
     */
    public static void writeSegs(Path file, MedicalImage labels) throws IOException {
        if (labels.components() != 1) {
            throw new IllegalArgumentException("segs are labels, one component per voxel; the image has "
                    + labels.components());
        }
        writeSegs(file, NpyArray.of(labels));
    }

    /** Writes {@code segs} as {@code np.savez_compressed(file, segs=segs)}. */
    public static void writeSegs(Path file, NpyArray segs) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("segs", segs);
        Npz.write(file, m, true);
    }
}
