package dev.medsam.io.image2d;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.Point;
import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.MedicalImages;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one overlay renderer: fill, outline, boxes, points, colours, widths, and refusals. */
class OverlayTest {

    @TempDir
    Path dir;

    private static final int W = 12;
    private static final int H = 9;

    /** Grey ramp: value = 10 * x + y. */
    private static MedicalImage grey() {
        byte[] v = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                v[y * W + x] = (byte) (10 * x + y);
            }
        }
        Affine a = Affine.ofSpacing(CoordinateSystem.LPS, new double[] {0.5, 0.7, 2.0}, new double[] {-10, 20, 30});
        return MedicalImage.builder(DataType.UINT8, W, H).affine(a).modality("CT").data(ByteBuffer.wrap(v)).build();
    }

    /** A 4 x 3 block at columns 3..6, rows 2..4. */
    private static BinaryMask block() {
        byte[] b = new byte[W * H];
        for (int y = 2; y <= 4; y++) {
            for (int x = 3; x <= 6; x++) {
                b[y * W + x] = 1;
            }
        }
        return BinaryMask.of(W, H, b);
    }

    private static int[] rgb(MedicalImage img, int x, int y) {
        ByteBuffer d = img.data();
        int i = 3 * (y * img.width() + x);
        return new int[] {d.get(i) & 0xFF, d.get(i + 1) & 0xFF, d.get(i + 2) & 0xFF};
    }

    private static int[] split(int colour) {
        return new int[] {colour >> 16 & 0xFF, colour >> 8 & 0xFF, colour & 0xFF};
    }

    @Test
    void keepsTheBackgroundTintsTheInsideAndOutlinesTheEdge() {
        MedicalImage img = grey();
        MedicalImage o = Overlay.builder(img).mask(block(), Overlay.YELLOW, Overlay.GREEN).toImage();
        assertEquals(DataType.UINT8, o.dataType());
        assertEquals(3, o.components());
        assertArrayEquals(new int[] {W, H}, o.dims());
        assertTrue(o.affine(CoordinateSystem.LPS).approximatelyEquals(img.affine(CoordinateSystem.LPS), 0));
        int[] fill = split(Overlay.GREEN);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int g = 10 * x + y;
                boolean in = x >= 3 && x <= 6 && y >= 2 && y <= 4;
                boolean edge = in && (x == 3 || x == 6 || y == 2 || y == 4);
                int[] expected;
                if (!in) {
                    expected = new int[] {g, g, g};
                } else if (edge) {
                    expected = split(Overlay.YELLOW);
                } else {
                    expected = new int[3];
                    for (int k = 0; k < 3; k++) {
                        expected[k] = (int) Math.round(0.7 * g + 0.3 * fill[k]);
                    }
                }
                assertArrayEquals(expected, rgb(o, x, y), "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void theBoxIsDrawnOnItsRoundedEdgesAndClipped() {
        MedicalImage o = Overlay.builder(grey()).box(new Box(1.4, 0.6, 20, 5.5)).toImage();
        int[] cyan = split(Overlay.CYAN);
        // x 1..11 (clipped), y 1..6 (5.5 rounds up)
        for (int x = 1; x <= 11; x++) {
            assertArrayEquals(cyan, rgb(o, x, 1), "top " + x);
            assertArrayEquals(cyan, rgb(o, x, 6), "bottom " + x);
        }
        assertArrayEquals(cyan, rgb(o, 1, 3));
        assertArrayEquals(cyan, rgb(o, 11, 3));
        assertArrayEquals(new int[] {0, 0, 0}, rgb(o, 0, 0));
        assertArrayEquals(new int[] {53, 53, 53}, rgb(o, 5, 3));
    }

    @Test
    void outlineOnlyMasksTakeThePaletteInOrderAndLaterOnesDrawOver() {
        byte[] right = new byte[W * H];
        for (int y = 2; y <= 4; y++) {
            for (int x = 6; x <= 9; x++) {
                right[y * W + x] = 1;
            }
        }
        MedicalImage o = Overlay.builder(grey()).fillOpacity(0).masks(List.of(block(), BinaryMask.of(W, H, right)))
                .toImage();
        assertArrayEquals(split(Overlay.colour(0)), rgb(o, 3, 3));
        assertArrayEquals(split(Overlay.colour(1)), rgb(o, 6, 3), "the second mask's outline is on top");
        assertArrayEquals(new int[] {43, 43, 43}, rgb(o, 4, 3), "no fill with opacity 0");
        assertArrayEquals(split(Overlay.colour(1)), rgb(o, 9, 3));
    }

    @Test
    void pointsArePlusSignsInTheirLabelsColoursClippedAtTheBorder() {
        MedicalImage o = Overlay.builder(grey()).outlineWidth(1)
                .point(Point.positive(5, 4)).point(Point.negative(0, 0)).toImage();
        int[] green = split(Overlay.POSITIVE_POINT);
        int[] red = split(Overlay.NEGATIVE_POINT);
        for (int d = -3; d <= 3; d++) {
            assertArrayEquals(green, rgb(o, 5 + d, 4), "arm x " + d);
            assertArrayEquals(green, rgb(o, 5, 4 + d), "arm y " + d);
        }
        assertArrayEquals(new int[] {63, 63, 63}, rgb(o, 6, 3), "a plus, not a square");
        assertArrayEquals(red, rgb(o, 0, 0));
        assertArrayEquals(red, rgb(o, 3, 0));
        assertArrayEquals(red, rgb(o, 0, 3));
    }

    @Test
    void outlineWidthGrowsWithTheImageAndCanBeSet() {
        assertEquals(1, Overlay.autoOutlineWidth(512, 512));
        assertEquals(1, Overlay.autoOutlineWidth(767, 20));
        assertEquals(2, Overlay.autoOutlineWidth(20, 768));
        assertEquals(1, Overlay.autoOutlineWidth(1, 1));
        MedicalImage o = Overlay.builder(grey()).fillOpacity(0).outlineWidth(2).mask(block(), 0xFF0000, 0xFF0000)
                .toImage();
        // every pixel of a 4 x 3 block lies within 2 of its border
        for (int y = 2; y <= 4; y++) {
            for (int x = 3; x <= 6; x++) {
                assertArrayEquals(new int[] {255, 0, 0}, rgb(o, x, y), x + "," + y);
            }
        }
    }

    @Test
    void theBufferedImageHasTheSamePixelsAndWritesAsPng() throws IOException {
        Overlay.Builder b = Overlay.builder(grey()).mask(block()).box(new Box(2, 1, 8, 6)).point(Point.positive(5, 3));
        MedicalImage img = b.toImage();
        BufferedImage bi = b.toBufferedImage();
        assertEquals(W, bi.getWidth());
        assertEquals(H, bi.getHeight());
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int[] p = rgb(img, x, y);
                assertEquals(p[0] << 16 | p[1] << 8 | p[2], bi.getRGB(x, y) & 0xFFFFFF, x + "," + y);
            }
        }
        Path png = dir.resolve("o.png");
        MedicalImages.write(img, png);
        assertEquals(img.data(), MedicalImages.read(png).image().data());
    }

    @Test
    void rgbImagesKeepTheirColoursAndAlphaIsIgnored() {
        byte[] rgba = new byte[4 * W * H];
        for (int i = 0; i < W * H; i++) {
            rgba[4 * i] = 10;
            rgba[4 * i + 1] = 20;
            rgba[4 * i + 2] = 30;
            rgba[4 * i + 3] = (byte) 128;
        }
        MedicalImage img = MedicalImage.builder(DataType.UINT8, W, H).components(4).data(ByteBuffer.wrap(rgba)).build();
        assertArrayEquals(new int[] {10, 20, 30}, rgb(Overlay.builder(img).toImage(), 7, 7));
    }

    @Test
    void badInputIsRefusedNamingWhatIsWrong() {
        BinaryMask small = BinaryMask.of(3, 3, new byte[9]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Overlay.builder(grey()).mask(small));
        assertTrue(e.getMessage().contains("mask 1 is 3x3") && e.getMessage().contains("12x9"), e.getMessage());
        MedicalImage int16 = MedicalImage.builder(DataType.INT16, W, H).data(ByteBuffer.allocate(2 * W * H)).build();
        e = assertThrows(IllegalArgumentException.class, () -> Overlay.builder(int16));
        assertTrue(e.getMessage().contains("int16"), e.getMessage());
        MedicalImage volume = MedicalImage.builder(DataType.UINT8, W, H, 2).data(ByteBuffer.allocate(2 * W * H)).build();
        e = assertThrows(IllegalArgumentException.class, () -> Overlay.builder(volume));
        assertTrue(e.getMessage().contains("[12, 9, 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Overlay.builder(grey()).fillOpacity(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Overlay.builder(grey()).fillOpacity(1.5));
        assertThrows(IllegalArgumentException.class, () -> Overlay.builder(grey()).outlineWidth(0));
        e = assertThrows(IllegalArgumentException.class, () -> Overlay.builder(grey()).box(new Box(1, 1, 2, 2), -1));
        assertTrue(e.getMessage().contains("0xffffffff"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Overlay.colour(-1));
    }

    @Test
    void objectColoursStayDistinctBeyondThePalette() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 255; i++) {
            int c = Overlay.colour(i);
            assertEquals(0, c & ~0xFFFFFF);
            seen.add(c);
        }
        assertTrue(seen.size() > 240, seen.size() + " distinct colours of 255");
    }

    /** Whatever is drawn, pixels away from every mask and mark keep the image's grey value. */
    @Property(tries = 60)
    void pixelsAwayFromMasksAndMarksAreTheImage(@ForAll @IntRange(min = 1, max = 40) int w,
                                                @ForAll @IntRange(min = 1, max = 40) int h,
                                                @ForAll @IntRange(min = 0, max = 4) int masks,
                                                @ForAll long seed) {
        Random r = new Random(seed);
        byte[] v = new byte[w * h];
        r.nextBytes(v);
        MedicalImage img = MedicalImage.builder(DataType.UINT8, w, h).data(ByteBuffer.wrap(v)).build();
        Overlay.Builder b = Overlay.builder(img).fillOpacity(r.nextDouble());
        boolean[] touched = new boolean[w * h];
        for (int m = 0; m < masks; m++) {
            byte[] bits = new byte[w * h];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = (byte) (r.nextInt(4) == 0 ? 1 : 0);
                touched[i] |= bits[i] != 0;
            }
            b.mask(BinaryMask.of(w, h, bits));
        }
        MedicalImage o = b.toImage();
        for (int i = 0; i < w * h; i++) {
            if (!touched[i]) {
                int g = v[i] & 0xFF;
                assertArrayEquals(new int[] {g, g, g}, rgb(o, i % w, i / w), "pixel " + i);
            }
        }
    }
}
