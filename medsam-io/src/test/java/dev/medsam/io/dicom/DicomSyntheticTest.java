package dev.medsam.io.dicom;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encodings and pixel layouts the shared files do not exercise, on small files written by {@link TestDicom}. */
class DicomSyntheticTest {

    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** 2 frames of 3 x 2 int16 with nested sequences, a private element and UTF-8 text. */
    private static TestDicom rich() {
        TestDicom inner = new TestDicom().str(0x00081155, "UI", "1.2.3.9").str(0x00081150, "UI", "1.2.840.10008.5.1.4.1.1.2");
        TestDicom item = new TestDicom().str(0x00080100, "SH", "T-1").seq(0x00082112, true, inner);
        return TestDicom.image(2, 3, 16, 16, true, 2)
                .charset(StandardCharsets.UTF_8)
                .str(0x00080005, "CS", "ISO_IR 192")
                .str(0x00100010, "PN", "Müller^Zoë")
                .seq(0x00081140, true, item, new TestDicom().str(0x00081155, "UI", "1.2.3.10"))
                .seq(0x00089124, false, item)
                .raw(0x00091010, "OB", new byte[] {1, 2, 3, 4, 5, 6})
                .str(0x00090010, "LO", "ACME 1.0")
                .str(0x00281052, "DS", "-1024")
                .str(0x00281053, "DS", "2")
                .pixels("OW", TestDicom.le16(-3, 0, 1, 2, 32767, -32768, 7, 8, 9, 10, 11, 12));
    }

    @ParameterizedTest
    @EnumSource(value = TestDicom.Syntax.class, names = {"EXPLICIT_LE", "IMPLICIT_LE", "EXPLICIT_BE", "DEFLATED"})
    void everyEncodingGivesTheSameImageAndText(TestDicom.Syntax syntax) throws IOException {
        DicomFile f = DicomFile.open(file("a.dcm", rich().write(syntax)));
        assertEquals(syntax.uid, f.transferSyntaxUid());
        assertEquals("Müller^Zoë", f.dataset().string(0x00100010).orElseThrow());
        assertEquals(2, f.dataset().sequence(0x00081140).size());
        assertEquals("1.2.3.9", f.dataset().sequence(0x00081140).get(0).sequence(0x00082112).get(0)
                .string(0x00081155).orElseThrow());
        assertEquals("T-1", f.dataset().sequence(0x00089124).get(0).string(0x00080100).orElseThrow());
        assertEquals("ACME 1.0", f.dataset().string(0x00090010).orElseThrow());
        MedicalImage img = f.readImage();
        assertArrayEquals(new int[] {3, 2, 2}, img.dims());
        assertEquals(DataType.INT16, img.dataType());
        assertArrayEquals(new double[] {-3, 0, 1, 2, 32767, -32768, 7, 8, 9, 10, 11, 12}, img.toDoubleArray());
        assertEquals(-1030, img.scaled(0), 0);
    }

    @Test
    void aBareDataSetWithoutPreambleIsRead() throws IOException {
        for (TestDicom.Syntax s : List.of(TestDicom.Syntax.IMPLICIT_LE, TestDicom.Syntax.EXPLICIT_LE, TestDicom.Syntax.EXPLICIT_BE)) {
            DicomFile f = DicomFile.open(file("bare.dcm", rich().write(s, false)));
            assertEquals(s.uid, f.transferSyntaxUid());
            assertEquals(-3, f.readImage().get(0), 0);
        }
    }

    @Test
    void bitsStoredBelowBitsAllocatedAreMaskedAndSignExtended() throws IOException {
        // 12 stored bits in 16; the top nibble holds junk (overlay bits in old files).
        byte[] px = TestDicom.le16(0xF000 | 0x0FFF, 0xA000 | 0x07FF, 0x5000 | 0x0800, 0x0001);
        MedicalImage signed = DicomFile.open(file("s.dcm", TestDicom.image(2, 2, 16, 12, true, 1)
                .pixels("OW", px).write(TestDicom.Syntax.EXPLICIT_LE))).readImage();
        assertArrayEquals(new double[] {-1, 2047, -2048, 1}, signed.toDoubleArray());
        MedicalImage unsigned = DicomFile.open(file("u.dcm", TestDicom.image(2, 2, 16, 12, false, 1)
                .pixels("OW", px).write(TestDicom.Syntax.EXPLICIT_LE))).readImage();
        assertArrayEquals(new double[] {4095, 2047, 2048, 1}, unsigned.toDoubleArray());
        // High Bit above Bits Stored - 1: values sit higher in the word.
        TestDicom shifted = TestDicom.image(1, 2, 16, 8, false, 1).us(0x00280102, 11).pixels("OW", TestDicom.le16(0x0AB0, 0xF120));
        assertArrayEquals(new double[] {0xAB, 0x12},
                DicomFile.open(file("h.dcm", shifted.write(TestDicom.Syntax.EXPLICIT_LE))).readImage().toDoubleArray());
    }

    @Test
    void eightBitSignedAndPlanarColour() throws IOException {
        MedicalImage s8 = DicomFile.open(file("s8.dcm", TestDicom.image(1, 3, 8, 8, true, 1)
                .pixels("OB", new byte[] {-1, 127, -128, 0}).write(TestDicom.Syntax.EXPLICIT_LE))).readImage();
        assertEquals(DataType.INT8, s8.dataType());
        assertArrayEquals(new double[] {-1, 127, -128}, s8.toDoubleArray());

        // 2 x 2 RGB, planar configuration 1: RRRR GGGG BBBB.
        byte[] planes = {1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24};
        TestDicom rgb = TestDicom.image(2, 2, 8, 8, false, 1).us(0x00280002, 3).us(0x00280006, 1)
                .str(0x00280004, "CS", "RGB").pixels("OB", planes);
        MedicalImage img = DicomFile.open(file("rgb.dcm", rgb.write(TestDicom.Syntax.EXPLICIT_LE))).readImage();
        assertEquals(3, img.components());
        assertArrayEquals(new double[] {1, 11, 21, 2, 12, 22, 3, 13, 23, 4, 14, 24}, img.toDoubleArray());
        assertEquals("RGB", img.attributes().get("dicom.photometricInterpretation"));
    }

    @Test
    void oneBitFramesArePackedContinuously() throws IOException {
        // 2 frames of 3 x 3 = 18 bits, LSB first, the second frame starting at bit 9 (mid-byte).
        int[] bits = {1, 0, 0, 1, 1, 0, 0, 0, 1, /* frame 2 */ 0, 1, 1, 0, 0, 0, 1, 1, 1};
        byte[] packed = new byte[4];
        for (int i = 0; i < bits.length; i++) {
            packed[i / 8] |= (byte) (bits[i] << (i % 8));
        }
        TestDicom d = TestDicom.image(3, 3, 1, 1, false, 2).us(0x00280102, 0).pixels("OB", packed);
        MedicalImage img = DicomFile.open(file("bits.dcm", d.write(TestDicom.Syntax.EXPLICIT_LE))).readImage();
        double[] want = new double[bits.length];
        for (int i = 0; i < bits.length; i++) {
            want[i] = bits[i];
        }
        assertArrayEquals(want, img.toDoubleArray());
    }

    @Test
    void monochrome1AndPaddingAreRecorded() throws IOException {
        TestDicom d = TestDicom.image(1, 2, 16, 16, true, 1).str(0x00280004, "CS", "MONOCHROME1")
                .raw(0x00280120, "SS", TestDicom.le16(-2000)).pixels("OW", TestDicom.le16(5, 6));
        MedicalImage img = DicomFile.open(file("m1.dcm", d.write(TestDicom.Syntax.EXPLICIT_LE))).readImage();
        assertEquals("MONOCHROME1", img.attributes().get("dicom.photometricInterpretation"));
        assertEquals("-2000", img.attributes().get("dicom.pixelPaddingValue"));
        // Implicit VR: the dictionary reads US; Pixel Representation 1 makes it signed.
        img = DicomFile.open(file("m1i.dcm", d.write(TestDicom.Syntax.IMPLICIT_LE))).readImage();
        assertEquals("-2000", img.attributes().get("dicom.pixelPaddingValue"));
    }

    @Test
    void rleWithAnOffsetTableAndTwoFrames() throws IOException {
        // Two 2 x 2 uint16 frames; each frame has 2 segments (high bytes, low bytes), PackBits-coded.
        int[][] frames = {{0x0102, 0x0304, 0x0506, 0x0708}, {0x1111, 0x1111, 0x1111, 0xFFFF}};
        List<byte[]> fragments = new ArrayList<>();
        for (int[] f : frames) {
            byte[] hi = packBitsLiteral(new byte[] {(byte) (f[0] >> 8), (byte) (f[1] >> 8), (byte) (f[2] >> 8), (byte) (f[3] >> 8)});
            byte[] lo = {(byte) -2, (byte) f[0], (byte) 0, (byte) f[3]}; // replicate f[0]'s low byte 3x, then 1 literal
            if (f[0] != 0x1111) {
                lo = packBitsLiteral(new byte[] {(byte) f[0], (byte) f[1], (byte) f[2], (byte) f[3]});
            }
            byte[] frame = new byte[64 + hi.length + lo.length];
            System.arraycopy(TestDicom.le32(2), 0, frame, 0, 4);
            System.arraycopy(TestDicom.le32(64), 0, frame, 4, 4);
            System.arraycopy(TestDicom.le32(64 + hi.length), 0, frame, 8, 4);
            System.arraycopy(hi, 0, frame, 64, hi.length);
            System.arraycopy(lo, 0, frame, 64 + hi.length, lo.length);
            fragments.add(frame);
        }
        byte[] table = new byte[8];
        System.arraycopy(TestDicom.le32(fragments.get(0).length + 8), 0, table, 4, 4);
        TestDicom d = TestDicom.image(2, 2, 16, 16, false, 2).fragments(table, fragments);
        MedicalImage img = DicomFile.open(file("rle.dcm", d.write(TestDicom.Syntax.RLE))).readImage();
        assertArrayEquals(new double[] {0x0102, 0x0304, 0x0506, 0x0708, 0x1111, 0x1111, 0x1111, 0xFFFF}, img.toDoubleArray());
    }

    @Test
    void floatPixelData() throws IOException {
        java.nio.ByteBuffer f = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        f.putFloat(1.5f).putFloat(-2.25f);
        TestDicom d = new TestDicom().us(0x00280002, 1).str(0x00280004, "CS", "MONOCHROME2").us(0x00280010, 1)
                .us(0x00280011, 2).raw(0x7FE00008, "OF", f.array());
        for (TestDicom.Syntax s : List.of(TestDicom.Syntax.EXPLICIT_LE, TestDicom.Syntax.EXPLICIT_BE)) {
            MedicalImage img = DicomFile.open(file("f.dcm", d.write(s))).readImage();
            assertEquals(DataType.FLOAT32, img.dataType());
            assertArrayEquals(new double[] {1.5, -2.25}, img.toDoubleArray());
        }
    }

    @Test
    void jpegBaselineGreyAndColourFragments() throws IOException {
        int w = 16;
        int h = 8;
        java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.awt.image.BufferedImage rgb = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                grey.getRaster().setSample(x, y, 0, 10 + 12 * x);
                rgb.setRGB(x, y, (200 << 16) | ((20 + 10 * y) << 8) | 60);
            }
        }
        for (java.awt.image.BufferedImage src : List.of(grey, rgb)) {
            java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
            var writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
            var param = writer.getDefaultWriteParam();
            param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(1.0f);
            try (var out = javax.imageio.ImageIO.createImageOutputStream(jpeg)) {
                writer.setOutput(out);
                writer.write(null, new javax.imageio.IIOImage(src, null, null), param);
            }
            writer.dispose();
            byte[] stream = jpeg.toByteArray();
            if (stream.length % 2 == 1) {
                stream = java.util.Arrays.copyOf(stream, stream.length + 1);
            }
            int spp = src == grey ? 1 : 3;
            TestDicom d = TestDicom.image(h, w, 8, 8, false, 1).us(0x00280002, spp)
                    .str(0x00280004, "CS", spp == 1 ? "MONOCHROME2" : "YBR_FULL_422")
                    .fragments(new byte[0], List.of(java.util.Arrays.copyOf(stream, 40),
                            java.util.Arrays.copyOfRange(stream, 40, stream.length)));
            Path p = file("jpeg.dcm", d.writeWithSyntax("1.2.840.10008.1.2.4.50"));
            MedicalImage img = DicomFile.open(p).readImage();
            assertEquals(spp, img.components());
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (spp == 1) {
                        assertEquals(10 + 12 * x, img.get(img.index(x, y, 0, 0)), 3, "grey at " + x + "," + y);
                    } else {
                        assertEquals(200, img.get(img.index(x, y, 0, 0)), 4, "red");
                        assertEquals(20 + 10 * y, img.get(img.index(x, y, 0, 1)), 4, "green");
                        assertEquals(60, img.get(img.index(x, y, 0, 2)), 4, "blue");
                    }
                }
            }
            assertEquals(spp == 1 ? "MONOCHROME2" : "RGB", img.attributes().get("dicom.photometricInterpretation"));
        }
    }

    private static byte[] packBitsLiteral(byte[] b) {
        byte[] out = new byte[b.length + 1];
        out[0] = (byte) (b.length - 1);
        System.arraycopy(b, 0, out, 1, b.length);
        return out;
    }

    private Path slice(String name, double[] ipp, String iop, int instance) throws IOException {
        TestDicom d = TestDicom.image(2, 2, 16, 16, true, 1)
                .str(0x00200032, "DS", ipp[0] + "\\" + ipp[1] + "\\" + ipp[2])
                .str(0x00200037, "DS", iop)
                .str(0x00280030, "DS", "0.5\\0.7")
                .str(0x00180050, "DS", "9")
                .str(0x00200013, "IS", Integer.toString(instance))
                .pixels("OW", TestDicom.le16(instance, instance, instance, instance));
        return file(name, d.write(TestDicom.Syntax.EXPLICIT_LE));
    }

    @Test
    void seriesSortsByPositionAndWarnsOnGapsUnevenStepsAndMixedOrientation() throws IOException {
        String axial = "1\\0\\0\\0\\1\\0";
        // Instance numbers run against position; steps of 2 mm with one missing slice (a 4 mm gap).
        slice("a.dcm", new double[] {0, 0, 10}, axial, 1);
        slice("b.dcm", new double[] {0, 0, 6}, axial, 2);
        slice("c.dcm", new double[] {0, 0, 4}, axial, 3);
        slice("d.dcm", new double[] {0, 0, 2}, axial, 4);
        DicomSeries s = DicomSeries.open(dir);
        assertArrayEquals(new double[] {2, 4, 6, 10}, s.slicePositions());
        assertEquals(8.0 / 3, s.sliceStep(), 1e-12);
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("gap of 4.0 mm")), s.warnings().toString());
        MedicalImage v = s.readVolume();
        assertEquals(4, v.get(v.index(0, 0, 0, 0)), 0); // instance 4 is the lowest slice
        assertEquals(0.7, v.affine(dev.medsam.core.image.CoordinateSystem.LPS).get(0, 0), 1e-12, "column spacing = PS[1]");
        assertEquals(0.5, v.affine(dev.medsam.core.image.CoordinateSystem.LPS).get(1, 1), 1e-12, "row spacing = PS[0]");

        Files.delete(dir.resolve("a.dcm"));
        slice("a.dcm", new double[] {0, 0, 7}, axial, 1);
        s = DicomSeries.open(dir);
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("uneven slice steps")), s.warnings().toString());

        Files.delete(dir.resolve("a.dcm"));
        slice("a.dcm", new double[] {0, 0, 8}, "1\\0\\0\\0\\0.996\\0.0872", 1);
        s = DicomSeries.open(dir);
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("mixed orientations")), s.warnings().toString());
    }

    @Test
    void multiFrameFilesOfOneSeriesAreSeriesOfTheirOwn() throws IOException {
        for (String n : List.of("a.dcm", "b.dcm")) {
            file(n, TestDicom.image(1, 2, 16, 16, false, 2).str(0x00080018, "UI", "1.2.3." + n.charAt(0))
                    .pixels("OW", new byte[8]).write(TestDicom.Syntax.EXPLICIT_LE));
        }
        List<DicomSeries> all = DicomSeries.scan(dir);
        assertEquals(2, all.size());
        assertEquals(1, all.get(0).size());
        assertArrayEquals(new int[] {2, 1, 2}, all.get(0).readVolume().dims());
        IOException e = assertThrows(IOException.class, () -> DicomSeries.open(dir));
        assertTrue(e.getMessage().contains("2 image series"), e.getMessage());
    }

    @Test
    void slicesOfDifferentSizesCannotFormAVolume() throws IOException {
        slice("a.dcm", new double[] {0, 0, 0}, "1\\0\\0\\0\\1\\0", 1);
        file("b.dcm", TestDicom.image(3, 2, 16, 16, true, 1).str(0x00200032, "DS", "0\\0\\1")
                .str(0x00200037, "DS", "1\\0\\0\\0\\1\\0").pixels("OW", new byte[12]).write(TestDicom.Syntax.EXPLICIT_LE));
        IOException e = assertThrows(IOException.class, () -> DicomSeries.open(dir).readVolume());
        assertTrue(e.getMessage().contains("b.dcm"), e.getMessage());
    }

    @Test
    void enhancedFramesOutOfStackOrderKeepTheirOwnGeometryAndWarn() throws IOException {
        TestDicom shared = new TestDicom()
                .seq(0x00209116, false, new TestDicom().str(0x00200037, "DS", "1\\0\\0\\0\\1\\0"))
                .seq(0x00289110, false, new TestDicom().str(0x00280030, "DS", "2\\2").str(0x00180050, "DS", "5"));
        TestDicom[] perFrame = new TestDicom[3];
        double[] z = {0, 5, 20};
        for (int i = 0; i < 3; i++) {
            perFrame[i] = new TestDicom()
                    .seq(0x00209113, false, new TestDicom().str(0x00200032, "DS", "0\\0\\" + (int) z[i]))
                    .seq(0x00289145, false, new TestDicom().str(0x00281053, "DS", Integer.toString(i + 1))
                            .str(0x00281052, "DS", "0"));
        }
        TestDicom d = TestDicom.image(1, 1, 16, 16, false, 3).seq(0x52009229, false, shared)
                .seq(0x52009230, true, perFrame).pixels("OW", TestDicom.le16(10, 10, 10));
        DicomFile f = DicomFile.open(file("enh.dcm", d.write(TestDicom.Syntax.EXPLICIT_LE)));
        assertEquals(20, f.frames().get(2).position().orElseThrow().z(), 0);
        assertEquals(3, f.frames().get(2).rescale().slope(), 0);
        assertTrue(f.warnings().stream().anyMatch(w -> w.contains("not one evenly spaced stack")), f.warnings().toString());
        MedicalImage img = f.readImage();
        // Per-frame rescales differ: real values as float32.
        assertEquals(DataType.FLOAT32, img.dataType());
        assertArrayEquals(new double[] {10, 20, 30}, img.toDoubleArray());
    }
}
