package dev.medsam.core.pipeline.internal;

import java.util.List;
import java.util.Optional;

/**
 * The CVPR 2024 challenge's 3D protocol with LiteMedSAM (MedSAM_infer_npz_3D of CVPR24_LiteMedSAM_infer.py, in
 * the version that runs both end slices): per object, box (x0, y0, z0, x1, y1, z1) in voxels,
 * {@code z_middle = int((z1 - z0) / 2 + z0)}; slices z_middle..z1 upwards, then z_middle-1..z0 downwards, both
 * inclusive and clipped to the volume. The middle slice gets the object's box; every other slice the bounding box
 * of the neighbour slice's mask after that mask is resized into the 256 frame with INTER_AREA and padded, widened
 * by 3 pixels and clamped to [0, 256], or the object's box again when that resized mask is empty. Objects are
 * run one after the other and later ones overwrite earlier ones. Stateless; thread-safe if the slice model is.
 */
public final class LiteMedSamVolume {

    /** How far the previous slice's bounding box is widened (get_bbox256's bbox_shift). */
    static final int BOX_SHIFT = 3;

    /** Segments one slice: the binary mask (height * width, 0 or 1) for a box in the 256 frame. */
    @FunctionalInterface
    public interface SliceModel {
        byte[] segment(int z, float[] box256);
    }

    private LiteMedSamVolume() {
    }

    /**
     * Labels (depth * height * width, 0 = background, object i = i + 1) of a volume.
     *
     * @param boxes per object x0, y0, z0, x1, y1, z1 in voxels
     * @throws IllegalArgumentException if a box has not 6 values, z0 >= z1, or a mask has the wrong size
     */
    public static int[] segment(int depth, int height, int width, List<long[]> boxes, SliceModel model) {
        if (depth <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("volume size must be positive, got " + width + "x" + height + "x"
                    + depth);
        }
        int plane = height * width;
        int[] labels = new int[depth * plane];
        for (int i = 0; i < boxes.size(); i++) {
            long[] b = boxes.get(i);
            if (b.length != 6) {
                throw new IllegalArgumentException("3D box " + i + " has " + b.length + " values, expected 6");
            }
            if (b[2] >= b[5]) {
                throw new IllegalArgumentException("3D box " + i + ": z_min " + b[2] + " must be below z_max " + b[5]);
            }
            int label = i + 1;
            float[] midBox = LiteMedSamPreprocess.box256(new double[] {b[0], b[1], b[3], b[4]}, height, width);
            int zMiddle = (int) ((b[5] - b[2]) / 2.0 + b[2]);
            byte[][] masks = new byte[depth][];
            int zTop = (int) Math.min(b[5], depth - 1);
            int zBottom = (int) Math.max(b[2], 0);
            int start = Math.max(zMiddle, 0); // a box reaching below the volume starts at slice 0
            for (int z = start; z <= zTop; z++) {
                float[] box = z == start ? midBox : boxFrom(masks[z - 1], label, height, width, midBox);
                masks[z] = run(model, z, box, plane);
            }
            for (int z = Math.min(zMiddle - 1, depth - 1); z >= zBottom; z--) {
                float[] box = boxFrom(z + 1 < depth ? masks[z + 1] : null, label, height, width, midBox);
                masks[z] = run(model, z, box, plane);
            }
            for (int z = 0; z < depth; z++) {
                if (masks[z] != null) {
                    for (int p = 0; p < plane; p++) {
                        if (masks[z][p] != 0) {
                            labels[z * plane + p] = label;
                        }
                    }
                }
            }
        }
        return labels;
    }

    private static byte[] run(SliceModel model, int z, float[] box, int plane) {
        byte[] m = model.segment(z, box);
        if (m.length != plane) {
            throw new IllegalArgumentException("slice " + z + ": the model returned " + m.length + " mask values, "
                    + "expected " + plane);
        }
        return m;
    }

    /**
     * The box (x0, y0, x1, y1) in the 256 frame that the reference derives from a neighbour slice's mask
     * (get_bbox256 of the mask resized with INTER_AREA, widened by 3 and clamped to [0, 256]), or empty when the
     * resized mask is empty, where the reference falls back to the object's box.
     *
     * @param mask  the neighbour's mask, {@code height * width} values, non-zero for the object
     * @param label the object's label (1-based): the reference resizes the mask holding it
     */
    public static Optional<float[]> boxFromMask(byte[] mask, int label, int height, int width) {
        if (mask.length != height * width) {
            throw new IllegalArgumentException("a " + width + "x" + height + " mask has " + height * width
                    + " values, got " + mask.length);
        }
        return Optional.ofNullable(boxFrom(mask, label, height, width, null));
    }

    /**
     * get_bbox256 of the neighbour's mask in the 256 frame, or the object's box when there is none. The reference
     * resizes the mask holding the object's label (uint8), and whether a resized pixel stays non-zero depends on
     * that value, so the mask is resized holding the label (labels above 255 as 255).
     */
    static float[] boxFrom(byte[] neighbour, int label, int height, int width, float[] fallback) {
        if (neighbour == null) {
            return fallback;
        }
        int[] size = LiteMedSamPreprocess.resizedSize(height, width);
        int nh = size[0];
        int nw = size[1];
        byte value = (byte) Math.min(label, 255);
        byte[] labelled = new byte[neighbour.length];
        for (int i = 0; i < labelled.length; i++) {
            labelled[i] = neighbour[i] != 0 ? value : 0;
        }
        byte[] resized = AreaResize.resize(labelled, width, height, 1, nw, nh);
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < nh; y++) {
            for (int x = 0; x < nw; x++) {
                if (resized[y * nw + x] != 0) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (x1 < 0) {
            return fallback;
        }
        int s = LiteMedSamPreprocess.SIZE; // the padded frame
        return new float[] {Math.max(0, x0 - BOX_SHIFT), Math.max(0, y0 - BOX_SHIFT), Math.min(s, x1 + BOX_SHIFT),
            Math.min(s, y1 + BOX_SHIFT)};
    }
}
