package dev.medsam.io.internal;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.ProbabilityMask;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;

/**
 * Masks as images on the grid of the image they were made on: same width, height, position, orientation and
 * spacing (its affine), but not its modality (a label map of a CT is not a CT, and must not get a CT preset).
 * The one label-map builder of the project: {@code MedicalImages.write} for masks and {@code labelMap}.
 */
public final class MaskImages {

    private MaskImages() {
    }

    /**
     * A uint8 label map: pixel value {@code k} (1-based) where mask {@code k - 1} is set, later masks overwriting
     * earlier ones, 0 elsewhere. With {@code visibleLevels}, label {@code k} of {@code n} is stored as
     * {@code round(255 k / n)} instead, so that a picture viewer shows it (one mask: 0/255).
     */
    public static MedicalImage labels(List<BinaryMask> masks, MedicalImage grid, boolean visibleLevels) {
        Objects.requireNonNull(masks, "masks");
        if (masks.isEmpty()) {
            throw new IllegalArgumentException("no masks to write");
        }
        if (masks.size() > 255) {
            throw new IllegalArgumentException("a uint8 label map holds at most 255 labels, got " + masks.size()
                    + " masks");
        }
        checkGrid(grid, masks.get(0).width(), masks.get(0).height());
        int w = grid.width();
        int h = grid.height();
        byte[] out = new byte[Math.multiplyExact(w, h)];
        for (int i = 0; i < masks.size(); i++) {
            BinaryMask m = masks.get(i);
            if (m.width() != w || m.height() != h) {
                throw new IllegalArgumentException("mask " + i + " is " + m.width() + " x " + m.height()
                        + " but the image is " + w + " x " + h);
            }
            int label = i + 1;
            byte value = (byte) (visibleLevels ? Math.round(255.0 * label / masks.size()) : label);
            ByteBuffer b = m.buffer();
            for (int p = 0; p < out.length; p++) {
                if (b.get(p) != 0) {
                    out[p] = value;
                }
            }
        }
        return onGrid(DataType.UINT8, grid, ByteBuffer.wrap(out));
    }

    /** Probabilities as float32 values in [0, 1] on the grid. */
    public static MedicalImage probabilities(ProbabilityMask p, MedicalImage grid) {
        Objects.requireNonNull(p, "probabilities");
        checkGrid(grid, p.width(), p.height());
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(Math.multiplyExact(p.width(), p.height()), 4))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(p.buffer());
        return onGrid(DataType.FLOAT32, grid, out);
    }

    /** Probabilities as uint8 {@code round(255 p)}, for picture formats. */
    public static MedicalImage probabilitiesAsBytes(ProbabilityMask p, MedicalImage grid) {
        checkGrid(grid, p.width(), p.height());
        float[] v = p.toArray();
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) Math.round(255 * Math.min(1f, Math.max(0f, v[i])));
        }
        return onGrid(DataType.UINT8, grid, ByteBuffer.wrap(out));
    }

    private static void checkGrid(MedicalImage grid, int width, int height) {
        Objects.requireNonNull(grid, "grid");
        int depth = grid.rank() > 2 ? grid.dim(2) : 1;
        if (grid.rank() > 3 || depth != 1) {
            throw new IllegalArgumentException("a 2D mask needs a 2D image as its grid, got dims "
                    + java.util.Arrays.toString(grid.dims()) + "; pass the slice it was made on (image.plane(...))");
        }
        if (grid.width() != width || grid.height() != height) {
            throw new IllegalArgumentException("the mask is " + width + " x " + height + " but the image is "
                    + grid.width() + " x " + grid.height() + ": write a mask on the image it was made on");
        }
    }

    private static MedicalImage onGrid(DataType type, MedicalImage grid, ByteBuffer data) {
        return MedicalImage.builder(type, grid.width(), grid.height())
                .affine(grid.affine(CoordinateSystem.LPS))
                .data(data).build();
    }
}
