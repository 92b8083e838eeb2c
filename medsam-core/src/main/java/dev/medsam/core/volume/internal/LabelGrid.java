package dev.medsam.core.volume.internal;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The label volume being built: uint8 for up to 255 objects, else uint16. Masks of slice planes are painted in
 * with "the higher label wins", which gives the reference's "later objects overwrite earlier ones" whatever the
 * order slices are visited in.
 */
public final class LabelGrid {

    private final int nx;
    private final int ny;
    private final int nz;
    private final int axis;
    private final DataType type;
    private final byte[] bytes;
    private final short[] shorts;

    /**
     * @param dims   (nx, ny, nz)
     * @param axis   the slicing axis the masks are planes of
     * @param labels the highest label that will be painted
     * @throws IllegalArgumentException if there are more than 65535 labels
     */
    public LabelGrid(int[] dims, int axis, int labels) {
        if (labels > 0xFFFF) {
            throw new IllegalArgumentException(labels + " objects do not fit a uint16 label volume (at most 65535)");
        }
        this.nx = dims[0];
        this.ny = dims[1];
        this.nz = dims[2];
        this.axis = axis;
        int n = Math.toIntExact((long) nx * ny * nz);
        if (labels <= 0xFF) {
            type = DataType.UINT8;
            bytes = new byte[n];
            shorts = null;
        } else {
            type = DataType.UINT16;
            bytes = null;
            shorts = new short[n];
        }
    }

    public DataType dataType() {
        return type;
    }

    /** Paints {@code label} wherever {@code mask} (a plane across {@link #axis} at {@code slice}) is set. */
    public void paint(int slice, BinaryMask mask, int label) {
        int w = mask.width();
        int h = mask.height();
        ByteBuffer bits = mask.buffer();
        // voxel index = base + u * du + v * dv for plane pixel (u, v)
        long du;
        long dv;
        long base;
        switch (axis) {
            case 2 -> {
                du = 1;
                dv = nx;
                base = (long) slice * nx * ny;
            }
            case 1 -> {
                du = 1;
                dv = (long) nx * ny;
                base = (long) slice * nx;
            }
            default -> {
                du = nx;
                dv = (long) nx * ny;
                base = slice;
            }
        }
        for (int v = 0; v < h; v++) {
            int row = v * w;
            for (int u = 0; u < w; u++) {
                if (bits.get(row + u) != 0) {
                    int i = (int) (base + u * du + v * dv);
                    if (bytes != null) {
                        if ((bytes[i] & 0xFF) < label) {
                            bytes[i] = (byte) label;
                        }
                    } else if ((shorts[i] & 0xFFFF) < label) {
                        shorts[i] = (short) label;
                    }
                }
            }
        }
    }

    /** The labels as an image on {@code geometry}'s grid (its affine, modality and attributes; no window). */
    public MedicalImage toImage(MedicalImage geometry) {
        ByteBuffer data;
        if (bytes != null) {
            data = ByteBuffer.wrap(bytes.clone());
        } else {
            data = ByteBuffer.allocate(shorts.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            data.asShortBuffer().put(shorts);
        }
        // Built afresh rather than with toBuilder: a label map must not inherit the image's display window
        // (NIfTI writes it as cal_min/cal_max, and viewers would then show every label as black).
        MedicalImage.Builder b = MedicalImage.builder(type, nx, ny, nz)
                .affine(geometry.affine(dev.medsam.core.image.CoordinateSystem.LPS))
                .modality(geometry.modality().orElse(null));
        geometry.attributes().forEach(b::attribute);
        return b.data(data).build();
    }
}
