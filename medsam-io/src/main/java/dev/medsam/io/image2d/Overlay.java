package dev.medsam.io.image2d;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.Point;
import dev.medsam.core.PointLabel;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Draws segmentation results on the image they came from: each mask's pixels tinted with a semi-transparent fill
 * and its outline drawn on top, then the prompt boxes and points. The one renderer behind the command line's
 * {@code --overlay}, the demo and the example programs. Masks themselves are written as pictures with
 * {@link dev.medsam.io.MedicalImages#write(BinaryMask, MedicalImage, java.nio.file.Path)} (0/255 in PNG).
 *
 * <pre>{@code
 * MedicalImage eightBit = IntensityPreset.ctWindow("soft-tissue").apply(ct);
 * BufferedImage picture = Overlay.builder(eightBit).mask(liver.binary()).box(liverBox).toBufferedImage();
 * MedicalImages.write(Overlay.builder(eightBit).mask(liver.binary()).toImage(), Path.of("overlay.png"));
 * }</pre>
 *
 * <h2>Conventions</h2>
 * Colours are 0xRRGGBB. Coordinates are the image's pixels with pixel centres at integers (as prompts are), so a
 * box's edges are drawn on the pixels its rounded coordinates name, clipped to the image. An outline pixel is a
 * mask pixel with a background or out-of-image pixel in the square of half-side {@code outlineWidth} around it,
 * so width 1 is the mask's border as its 8 neighbours see it. Later masks
 * draw over earlier ones; all fills go first, then all outlines, boxes and points.
 *
 * <p>The builder is not thread-safe; rendering allocates a new heap image each time and leaves the inputs alone.
 */
public final class Overlay {

    /** Outline yellow, visible on grey CT and MR. */
    public static final int YELLOW = 0xFFE100;
    /** Fill green. */
    public static final int GREEN = 0x00DC6E;
    /** Box cyan. */
    public static final int CYAN = 0x00BEFF;
    /** Foreground point colour (label 1). */
    public static final int POSITIVE_POINT = 0x30E030;
    /** Background point colour (label 0). */
    public static final int NEGATIVE_POINT = 0xFF3030;
    /** Fill opacity when none is set. */
    public static final double DEFAULT_FILL_OPACITY = 0.3;

    /** Distinct, saturated colours for objects 0..9 (then golden-angle hues). */
    private static final int[] PALETTE = {
        0xFF3030, 0x30E030, 0x3080FF, 0xFFE020, 0xFF40FF, 0x20E0E0, 0xFF9020, 0xA060FF, 0x90FF90, 0xFF8080};

    private Overlay() {
    }

    /**
     * A renderer over {@code eightBit}: the image as the model saw it, uint8 with 1 (grey), 2 (grey + alpha), 3
     * (RGB) or 4 (RGBA) components, one plane; alpha is ignored.
     *
     * @throws IllegalArgumentException if the image is not a uint8 plane with 1 to 4 components
     */
    public static Builder builder(MedicalImage eightBit) {
        Objects.requireNonNull(eightBit, "image");
        if (eightBit.dataType() != DataType.UINT8 || eightBit.components() > 4
                || eightBit.voxelCount() != (long) eightBit.width() * eightBit.height()) {
            throw new IllegalArgumentException("an overlay is drawn on a uint8 plane with 1 to 4 components (apply "
                    + "an intensity preset and take one slice first); this one is " + eightBit.dataType().numpyName()
                    + " with " + eightBit.components() + " components and dims "
                    + java.util.Arrays.toString(eightBit.dims()));
        }
        return new Builder(eightBit);
    }

    /**
     * The colour of object {@code index} (0-based) when none is given: ten distinct colours, then hues stepping by
     * the golden ratio, so neighbouring labels always differ.
     *
     * @throws IllegalArgumentException if {@code index} is negative
     */
    public static int colour(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("object index must be 0 or more, got " + index);
        }
        if (index < PALETTE.length) {
            return PALETTE[index];
        }
        // HSV with value 1 and saturation 0.85
        double hue = (index * 0.6180339887498949) % 1.0 * 6;
        int sector = (int) hue;
        double f = hue - sector;
        double s = 0.85;
        double[] rgb = switch (sector) {
            case 0 -> new double[] {1, 1 - s * (1 - f), 1 - s};
            case 1 -> new double[] {1 - s * f, 1, 1 - s};
            case 2 -> new double[] {1 - s, 1, 1 - s * (1 - f)};
            case 3 -> new double[] {1 - s, 1 - s * f, 1};
            case 4 -> new double[] {1 - s * (1 - f), 1 - s, 1};
            default -> new double[] {1, 1 - s, 1 - s * f};
        };
        return (int) Math.round(rgb[0] * 255) << 16 | (int) Math.round(rgb[1] * 255) << 8
                | (int) Math.round(rgb[2] * 255);
    }

    /** The outline width used when none is set: 1 px up to 767 px, 2 px up to 1279 px, ... */
    public static int autoOutlineWidth(int width, int height) {
        return Math.max(1, (int) Math.round(Math.max(width, height) / 512.0));
    }

    private record Layer(BinaryMask mask, int outline, int fill) {
    }

    private record Mark(Box box, Point point, int colour) {
    }

    /** What to draw; {@link #toImage()} and {@link #toBufferedImage()} render it. */
    public static final class Builder {
        private final MedicalImage image;
        private final List<Layer> layers = new ArrayList<>();
        private final List<Mark> marks = new ArrayList<>();
        private double fillOpacity = DEFAULT_FILL_OPACITY;
        private int outlineWidth;

        private Builder(MedicalImage image) {
            this.image = image;
        }

        /** Adds a mask drawn in {@link #colour(int) the next object colour} (outline and fill). */
        public Builder mask(BinaryMask mask) {
            int c = colour(layers.size());
            return mask(mask, c, c);
        }

        /** Adds several masks, each in the next object colour. */
        public Builder masks(List<BinaryMask> masks) {
            Objects.requireNonNull(masks, "masks").forEach(this::mask);
            return this;
        }

        /**
         * Adds a mask with its own outline and fill colours (0xRRGGBB).
         *
         * @throws IllegalArgumentException if the mask's size is not the image's or a colour is not 0xRRGGBB
         */
        public Builder mask(BinaryMask mask, int outlineRgb, int fillRgb) {
            Objects.requireNonNull(mask, "mask");
            if (mask.width() != image.width() || mask.height() != image.height()) {
                throw new IllegalArgumentException("mask " + (layers.size() + 1) + " is " + mask.width() + "x"
                        + mask.height() + " but the image is " + image.width() + "x" + image.height());
            }
            layers.add(new Layer(mask, rgb(outlineRgb, "outline"), rgb(fillRgb, "fill")));
            return this;
        }

        /** Adds a prompt box in {@link #CYAN}. */
        public Builder box(Box box) {
            return box(box, CYAN);
        }

        /** Adds a prompt box in the given colour; parts outside the image are clipped. */
        public Builder box(Box box, int rgb) {
            marks.add(new Mark(Objects.requireNonNull(box, "box"), null, rgb(rgb, "box")));
            return this;
        }

        /**
         * Adds a prompt point as a plus sign, {@link #POSITIVE_POINT} for label 1 and {@link #NEGATIVE_POINT} for
         * label 0; a point outside the image draws only the arms that reach into it.
         */
        public Builder point(Point point) {
            Objects.requireNonNull(point, "point");
            return point(point, point.label() == PointLabel.NEGATIVE ? NEGATIVE_POINT : POSITIVE_POINT);
        }

        /** Adds a prompt point in the given colour. */
        public Builder point(Point point, int rgb) {
            marks.add(new Mark(null, Objects.requireNonNull(point, "point"), rgb(rgb, "point")));
            return this;
        }

        /**
         * Share of the fill colour in a mask pixel, 0 (outline only) to 1 (opaque); default
         * {@value Overlay#DEFAULT_FILL_OPACITY}.
         *
         * @throws IllegalArgumentException if outside [0, 1] or NaN
         */
        public Builder fillOpacity(double opacity) {
            if (!(opacity >= 0 && opacity <= 1)) {
                throw new IllegalArgumentException("fill opacity must be in [0, 1], got " + opacity);
            }
            this.fillOpacity = opacity;
            return this;
        }

        /**
         * Outline width in pixels; default {@link #autoOutlineWidth(int, int)} for the image's size.
         *
         * @throws IllegalArgumentException if not 1 to 64
         */
        public Builder outlineWidth(int pixels) {
            if (pixels < 1 || pixels > 64) {
                throw new IllegalArgumentException("outline width must be 1 to 64 pixels, got " + pixels);
            }
            this.outlineWidth = pixels;
            return this;
        }

        /** The picture as a uint8 RGB image with the source image's geometry (write it with MedicalImages). */
        public MedicalImage toImage() {
            return MedicalImage.builder(DataType.UINT8, image.width(), image.height()).components(3)
                    .affine(image.affine(CoordinateSystem.LPS))
                    .data(ByteBuffer.wrap(render())).build();
        }

        /** The picture as an RGB {@link BufferedImage} (for Swing, ImageIO or a web response). */
        public BufferedImage toBufferedImage() {
            int w = image.width();
            int h = image.height();
            byte[] rgb = render();
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = 3 * (y * w + x);
                    row[x] = (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
                }
                out.setRGB(0, y, w, 1, row, 0, w);
            }
            return out;
        }

        private byte[] render() {
            int w = image.width();
            int h = image.height();
            int c = image.components();
            ByteBuffer src = image.data();
            byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
            for (int p = 0; p < w * h; p++) {
                for (int k = 0; k < 3; k++) {
                    // grey (+ alpha) repeats its one channel; RGB(A) keeps its three
                    rgb[3 * p + k] = src.get(c < 3 ? c * p : c * p + k);
                }
            }
            if (fillOpacity > 0) {
                for (Layer l : layers) {
                    fill(rgb, l.mask().buffer(), l.fill());
                }
            }
            int t = outlineWidth > 0 ? outlineWidth : autoOutlineWidth(w, h);
            for (Layer l : layers) {
                ByteBuffer m = l.mask().buffer();
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        if (m.get(y * w + x) != 0 && nearEdge(m, w, h, x, y, t)) {
                            paint(rgb, w, h, x, y, l.outline());
                        }
                    }
                }
            }
            for (Mark mark : marks) {
                if (mark.box() != null) {
                    drawBox(rgb, w, h, mark.box(), mark.colour());
                } else {
                    drawPoint(rgb, w, h, mark.point(), mark.colour(), Math.max(2, 2 * t + 1));
                }
            }
            return rgb;
        }

        private void fill(byte[] rgb, ByteBuffer mask, int colour) {
            for (int p = 0; p < mask.capacity(); p++) {
                if (mask.get(p) != 0) {
                    for (int k = 0; k < 3; k++) {
                        int v = rgb[3 * p + k] & 0xFF;
                        int f = colour >> (16 - 8 * k) & 0xFF;
                        rgb[3 * p + k] = (byte) Math.round((1 - fillOpacity) * v + fillOpacity * f);
                    }
                }
            }
        }
    }

    private static int rgb(int colour, String what) {
        if ((colour & ~0xFFFFFF) != 0) {
            throw new IllegalArgumentException(what + " colour must be 0xRRGGBB, got 0x" + Integer.toHexString(colour));
        }
        return colour;
    }

    private static boolean nearEdge(ByteBuffer m, int w, int h, int x, int y, int t) {
        for (int dy = -t; dy <= t; dy++) {
            for (int dx = -t; dx <= t; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx < 0 || yy < 0 || xx >= w || yy >= h || m.get(yy * w + xx) == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void drawBox(byte[] rgb, int w, int h, Box box, int colour) {
        // pixel centres are at integer coordinates, so the edges are the rounded coordinates, clipped
        int x0 = clamp(box.x0(), w);
        int x1 = clamp(box.x1(), w);
        int y0 = clamp(box.y0(), h);
        int y1 = clamp(box.y1(), h);
        for (int x = x0; x <= x1; x++) {
            paint(rgb, w, h, x, y0, colour);
            paint(rgb, w, h, x, y1, colour);
        }
        for (int y = y0; y <= y1; y++) {
            paint(rgb, w, h, x0, y, colour);
            paint(rgb, w, h, x1, y, colour);
        }
    }

    private static void drawPoint(byte[] rgb, int w, int h, Point p, int colour, int arm) {
        long cx = Math.round(p.x());
        long cy = Math.round(p.y());
        for (int d = -arm; d <= arm; d++) {
            paint(rgb, w, h, cx + d, cy, colour);
            paint(rgb, w, h, cx, cy + d, colour);
        }
    }

    private static int clamp(double v, int size) {
        return (int) Math.max(0, Math.min(size - 1, Math.round(v)));
    }

    private static void paint(byte[] rgb, int w, int h, long x, long y, int colour) {
        if (x < 0 || y < 0 || x >= w || y >= h) {
            return;
        }
        int i = (int) (3 * (y * w + x));
        rgb[i] = (byte) (colour >> 16);
        rgb[i + 1] = (byte) (colour >> 8);
        rgb[i + 2] = (byte) colour;
    }
}
