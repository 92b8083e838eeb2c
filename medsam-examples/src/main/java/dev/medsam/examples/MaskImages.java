package dev.medsam.examples;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Draws a {@link BinaryMask} as a colour overlay of its outline on the image (label maps, 0/1 or 0/255, are
 * {@code MedicalImages.write(mask, image, file)}'s job). Stateless, thread-safe; every result is a new heap image.
 */
public final class MaskImages {

    /** Outline colour (RGB): yellow, visible on grey CT and MR. */
    static final int[] OUTLINE = {255, 225, 0};
    /** Fill tint (RGB) mixed into the object's pixels. */
    static final int[] FILL = {0, 220, 110};
    /** Share of {@link #FILL} in an object pixel (the rest is the image). */
    static final double FILL_ALPHA = 0.3;
    /** Box colour (RGB): cyan. */
    static final int[] BOX = {0, 190, 255};

    private MaskImages() {
    }

    /**
     * An RGB image of {@code eightBit} (grey or RGB uint8, e.g. the output of an intensity preset) with the mask's
     * pixels tinted green and its outline (object pixels with a background or out-of-image neighbour among their 8)
     * drawn in yellow.
     *
     * @throws IllegalArgumentException if the image is not a uint8 plane (1 or 3 components) of the mask's size
     */
    public static MedicalImage overlay(MedicalImage eightBit, BinaryMask mask) {
        return draw(eightBit, mask, null);
    }

    /** As {@link #overlay(MedicalImage, BinaryMask)}, with the prompt box drawn in cyan (clipped to the image). */
    public static MedicalImage overlay(MedicalImage eightBit, BinaryMask mask, Box box) {
        return draw(eightBit, mask, Objects.requireNonNull(box, "box"));
    }

    private static MedicalImage draw(MedicalImage image, BinaryMask mask, Box box) {
        requirePlane(image, mask);
        if (image.dataType() != DataType.UINT8 || (image.components() != 1 && image.components() != 3)) {
            throw new IllegalArgumentException("an overlay is drawn on uint8 grey or RGB images (apply an intensity "
                    + "preset first); this one is " + image.dataType().numpyName() + " with " + image.components()
                    + " components");
        }
        int w = mask.width();
        int h = mask.height();
        int c = image.components();
        ByteBuffer src = image.data();
        byte[] bits = mask.toArray();
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            for (int k = 0; k < 3; k++) {
                int v = src.get(i * c + (c == 1 ? 0 : k)) & 0xFF;
                if (bits[i] != 0) {
                    v = (int) Math.round((1 - FILL_ALPHA) * v + FILL_ALPHA * FILL[k]);
                }
                rgb[3 * i + k] = (byte) v;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (bits[y * w + x] != 0 && onOutline(bits, w, h, x, y)) {
                    paint(rgb, w, x, y, OUTLINE);
                }
            }
        }
        if (box != null) {
            drawBox(rgb, w, h, box);
        }
        return MedicalImage.builder(DataType.UINT8, w, h).components(3)
                .affine(image.affine(CoordinateSystem.LPS))
                .data(ByteBuffer.wrap(rgb)).build();
    }

    private static boolean onOutline(byte[] bits, int w, int h, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int nx = x + dx;
                int ny = y + dy;
                if (nx < 0 || ny < 0 || nx >= w || ny >= h || bits[ny * w + nx] == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void drawBox(byte[] rgb, int w, int h, Box box) {
        // pixel centres are at integer coordinates, so the box's edges are the rounded coordinates
        int x0 = clamp((int) Math.round(box.x0()), w);
        int x1 = clamp((int) Math.round(box.x1()), w);
        int y0 = clamp((int) Math.round(box.y0()), h);
        int y1 = clamp((int) Math.round(box.y1()), h);
        for (int x = x0; x <= x1; x++) {
            paint(rgb, w, x, y0, BOX);
            paint(rgb, w, x, y1, BOX);
        }
        for (int y = y0; y <= y1; y++) {
            paint(rgb, w, x0, y, BOX);
            paint(rgb, w, x1, y, BOX);
        }
    }

    private static int clamp(int v, int size) {
        return Math.max(0, Math.min(size - 1, v));
    }

    private static void paint(byte[] rgb, int w, int x, int y, int[] colour) {
        int i = 3 * (y * w + x);
        rgb[i] = (byte) colour[0];
        rgb[i + 1] = (byte) colour[1];
        rgb[i + 2] = (byte) colour[2];
    }

    private static void requirePlane(MedicalImage image, BinaryMask mask) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(mask, "mask");
        int[] dims = image.dims();
        for (int a = 2; a < dims.length; a++) {
            if (dims[a] != 1) {
                throw new IllegalArgumentException("a 2D image is needed; this one has dims " + Arrays.toString(dims));
            }
        }
        if (image.width() != mask.width() || image.height() != mask.height()) {
            throw new IllegalArgumentException("the mask is " + mask.width() + " x " + mask.height()
                    + " pixels but the image is " + image.width() + " x " + image.height());
        }
    }
}
