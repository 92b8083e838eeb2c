package dev.medsam.io.image2d;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PNG, BMP, JPEG and TIFF variants made here, read back value by value. */
class RasterImagesTest {

    @TempDir
    Path tmp;

    private Path save(BufferedImage img, String format, String name) throws Exception {
        Path p = tmp.resolve(name);
        assertTrue(ImageIO.write(img, format, p.toFile()), "no writer for " + format);
        return p;
    }

    @Test
    void pngGreyRgbAlphaPaletteAnd16Bit() throws Exception {
        BufferedImage grey = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(4, 2, 0, 200);
        MedicalImage g = RasterImages.read(save(grey, "png", "g.png"));
        assertArrayEquals(new int[] {5, 3}, g.dims());
        assertEquals(1, g.components());
        assertEquals(DataType.UINT8, g.dataType());
        assertEquals(200.0, g.get(g.index(4, 2, 0, 0)));

        BufferedImage u16 = new BufferedImage(4, 2, BufferedImage.TYPE_USHORT_GRAY);
        u16.getRaster().setSample(3, 1, 0, 65000);
        MedicalImage u = RasterImages.read(save(u16, "png", "u16.png"));
        assertEquals(DataType.UINT16, u.dataType());
        assertEquals(65000.0, u.get(u.index(3, 1, 0, 0)));

        BufferedImage rgba = new BufferedImage(3, 2, BufferedImage.TYPE_4BYTE_ABGR);
        rgba.getRaster().setPixel(1, 1, new int[] {10, 20, 30, 40});
        MedicalImage c = RasterImages.read(save(rgba, "png", "rgba.png"));
        assertEquals(3, c.components(), "alpha dropped");
        assertEquals(10.0, c.get(c.index(1, 1, 0, 0)));
        assertEquals(20.0, c.get(c.index(1, 1, 0, 1)));
        assertEquals(30.0, c.get(c.index(1, 1, 0, 2)));

        byte[] r = {0, (byte) 255, 7};
        byte[] gr = {0, 0, 8};
        byte[] b = {0, 0, 9};
        BufferedImage pal = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 3, r, gr, b));
        WritableRaster pr = pal.getRaster();
        pr.setSample(0, 0, 0, 1);
        pr.setSample(1, 1, 0, 2);
        MedicalImage p = RasterImages.read(save(pal, "png", "pal.png"));
        assertEquals(3, p.components(), "colour palette expanded to RGB");
        assertEquals(255.0, p.get(p.index(0, 0, 0, 0)));
        assertEquals(8.0, p.get(p.index(1, 1, 0, 1)));

        byte[] levels = {0, 50, 100};
        BufferedImage greyPal = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 3, levels, levels, levels));
        greyPal.getRaster().setSample(1, 0, 0, 2);
        MedicalImage gp = RasterImages.read(save(greyPal, "png", "greypal.png"));
        assertEquals(1, gp.components(), "grey palette expanded to grey");
        assertEquals(100.0, gp.get(1));
        assertEquals(ImageFormat.PNG, MedicalImages.detect(tmp.resolve("greypal.png")));
    }

    @Test
    void bmpAndJpeg() throws Exception {
        BufferedImage rgb = new BufferedImage(8, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                rgb.getRaster().setPixel(x, y, new int[] {200, 100, 50});
            }
        }
        MedicalImage bmp = RasterImages.read(save(rgb, "bmp", "a.bmp"));
        assertEquals(3, bmp.components());
        assertEquals(100.0, bmp.get(bmp.index(7, 7, 0, 1)));
        Path jpg = save(rgb, "jpeg", "a.jpg");
        MedicalImage j = RasterImages.read(jpg);
        assertArrayEquals(new int[] {8, 8}, j.dims());
        assertEquals(3, j.components());
        assertEquals(200.0, j.get(j.index(3, 3, 0, 0)), 3.0, "lossy, but a flat colour survives");
        assertEquals(ImageFormat.JPEG, MedicalImages.detect(jpg));
        assertEquals(ImageFormat.BMP, MedicalImages.detect(tmp.resolve("a.bmp")));
    }

    @Test
    void tiffSampleFormats() throws Exception {
        record T(int bits, int format, DataType type, double value, byte[] le) {
        }
        List<T> cases = new ArrayList<>();
        cases.add(new T(8, 1, DataType.UINT8, 250, new byte[] {(byte) 250}));
        cases.add(new T(8, 2, DataType.INT8, -6, new byte[] {(byte) -6}));
        cases.add(new T(16, 1, DataType.UINT16, 60000, le(2, 60000)));
        cases.add(new T(16, 2, DataType.INT16, -3024, le(2, -3024)));
        cases.add(new T(32, 2, DataType.INT32, -100000, le(4, -100000)));
        cases.add(new T(32, 3, DataType.FLOAT32, -1.5, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(-1.5f).array()));
        for (T t : cases) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                int bytes = t.bits / 8;
                byte[] pixels = new byte[3 * 2 * bytes];
                byte[] v = t.le.clone();
                if (order == ByteOrder.BIG_ENDIAN) {
                    for (int i = 0; i < bytes / 2; i++) {
                        byte x = v[i];
                        v[i] = v[bytes - 1 - i];
                        v[bytes - 1 - i] = x;
                    }
                }
                System.arraycopy(v, 0, pixels, (1 * 3 + 2) * bytes, bytes); // pixel (x=2, y=1)
                Path p = tmp.resolve("t.tif");
                Files.write(p, TinyTiff.write(order, 3, 2, 1, t.bits, t.format, pixels, null, 0, null));
                MedicalImage img = RasterImages.read(p);
                String what = t.type + " " + order;
                assertEquals(t.type, img.dataType(), what);
                assertArrayEquals(new int[] {3, 2}, img.dims(), what);
                assertEquals(t.value, img.get(img.index(2, 1, 0, 0)), what);
                assertEquals(0.0, img.get(0), what);
            }
        }
    }

    @Test
    void tiffResolutionToSpacingOnlyWhereMeaningful() throws Exception {
        byte[] px = new byte[4];
        Path p = tmp.resolve("r.tif");
        Files.write(p, TinyTiff.write(ByteOrder.LITTLE_ENDIAN, 2, 2, 1, 8, 1, px, new double[] {20, 40}, 3, null));
        MedicalImage cm = RasterImages.read(p);
        assertArrayEquals(new double[] {0.5, 0.25, 1}, cm.spacing(), 1e-12, "pixels per cm");

        Files.write(p, TinyTiff.write(ByteOrder.BIG_ENDIAN, 2, 2, 1, 8, 1, px, new double[] {2, 4}, 1,
                "ImageJ=1.54f\nunit=mm\n"));
        assertArrayEquals(new double[] {0.5, 0.25, 1}, RasterImages.read(p).spacing(), 1e-12, "ImageJ calibration");

        Files.write(p, TinyTiff.write(ByteOrder.LITTLE_ENDIAN, 2, 2, 1, 8, 1, px, new double[] {72, 72}, 2, null));
        MedicalImage inch = RasterImages.read(p);
        assertArrayEquals(new double[] {1, 1, 1}, inch.spacing(), 0, "a DPI is not a pixel size");
        assertEquals("72.0", inch.attributes().get("tiff.x_resolution"));
        assertEquals("2", inch.attributes().get("tiff.resolution_unit"));
    }

    @Test
    void tiffRgb() throws Exception {
        byte[] px = new byte[2 * 1 * 3];
        px[3] = 1;
        px[4] = 2;
        px[5] = 3;
        Path p = tmp.resolve("rgb.tif");
        Files.write(p, TinyTiff.write(ByteOrder.LITTLE_ENDIAN, 2, 1, 3, 8, 1, px, null, 0, null));
        MedicalImage img = RasterImages.read(p);
        assertEquals(3, img.components());
        assertEquals(3.0, img.get(img.index(1, 0, 0, 2)));
    }

    @Test
    void pngWriterRoundTripsMasksAndOverlays() throws Exception {
        byte[] grey = new byte[6 * 4];
        grey[5] = (byte) 255;
        grey[23] = 1;
        MedicalImage g = MedicalImage.builder(DataType.UINT8, 6, 4).data(ByteBuffer.wrap(grey)).build();
        Path p = tmp.resolve("mask.png");
        PngWriter.write(g, p);
        assertEquals(g.data(), RasterImages.read(p).data());
        byte[] rgb = new byte[6 * 4 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7);
        }
        MedicalImage c = MedicalImage.builder(DataType.UINT8, 6, 4).components(3).data(ByteBuffer.wrap(rgb)).build();
        PngWriter.write(c, p);
        MedicalImage back = RasterImages.read(p);
        assertEquals(3, back.components());
        assertEquals(c.data(), back.data());
        MedicalImage u16 = MedicalImage.builder(DataType.UINT16, 3, 1)
                .data(ByteBuffer.wrap(new byte[] {1, 0, (byte) 0xFF, (byte) 0xFF, 0, 1})).build();
        PngWriter.write(u16, p);
        assertEquals(u16.data(), RasterImages.read(p).data());
        MedicalImage f = MedicalImage.builder(DataType.FLOAT32, 2, 2).data(ByteBuffer.allocate(16)).build();
        assertThrows(IllegalArgumentException.class, () -> PngWriter.write(f, tmp.resolve("f.png")));
        assertFalse(Files.exists(tmp.resolve("f.png")));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void notAnImage() throws Exception {
        Path p = tmp.resolve("x.png");
        Files.writeString(p, "hello");
        MalformedImageException e = assertThrows(MalformedImageException.class, () -> RasterImages.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }

    private static byte[] le(int bytes, int v) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
        byte[] out = new byte[bytes];
        System.arraycopy(b.array(), 0, out, 0, bytes);
        return out;
    }
}
