package dev.medsam.io.dicom;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decoding gaps of issue 15 (part 3), each against what DCMTK, GDCM and pydicom decode. The files and their
 * expected values are in src/test/resources/dicom/gaps (see its README for how they were made); where dcmdjpeg is
 * installed, the JPEG cases are also checked against it live.
 */
class DicomDecodingGapsTest {

    @TempDir
    Path dir;

    private Path resource(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = DicomDecodingGapsTest.class.getResourceAsStream("/dicom/gaps/" + name)) {
            if (in == null) {
                throw new IOException("test resource /dicom/gaps/" + name + " is missing");
            }
            Files.copy(in, p);
        }
        return p;
    }

    private byte[] expected(String name) throws IOException {
        return Files.readAllBytes(resource(name));
    }

    private static byte[] bytes(MedicalImage image) {
        ByteBuffer b = image.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** dcmdjpeg's native rendering of {@code in}, read back by our (native) reader; skipped without dcmtk. */
    private MedicalImage dcmdjpeg(Path in, String... options) throws Exception {
        Path exe = Path.of("/usr/bin/dcmdjpeg");
        Assumptions.assumeTrue(Files.isExecutable(exe), "dcmdjpeg (Debian package dcmtk) is not installed");
        Path out = dir.resolve(in.getFileName() + ".dcmdjpeg.dcm");
        List<String> cmd = new java.util.ArrayList<>(List.of(exe.toString()));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of(in.toString(), out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dcmdjpeg did not finish");
        assertEquals(0, p.exitValue(), "dcmdjpeg failed: " + log);
        return DicomFile.open(out).readImage();
    }

    @Test
    void twelveBitJpegIsBitExactToLibjpegIslow() throws Exception {
        Path f = resource("ct12_jpeg_ext.dcm");
        DicomFile file = DicomFile.open(f);
        assertEquals("1.2.840.10008.1.2.4.51", file.transferSyntaxUid());
        MedicalImage img = file.readImage();
        assertEquals(83, img.height());
        assertEquals(101, img.width());
        assertArrayEquals(expected("ct12_jpeg_ext.dcmdjpeg.u16"), bytes(img), "against the committed dcmdjpeg output");
    }

    @Test
    void twelveBitJpegMatchesDcmdjpegRunNow() throws Exception {
        Path f = resource("ct12_jpeg_ext.dcm");
        assertArrayEquals(bytes(dcmdjpeg(f)), bytes(DicomFile.open(f).readImage()));
    }

    @Test
    void rgbJpegWithoutAdobeMarkerIsNotColourConverted() throws Exception {
        // Component ids 0,1,2, no APP14 and no JFIF: Photometric Interpretation RGB says the samples are RGB.
        Path f = resource("rgb_jpeg_noadobe_ids012.dcm");
        MedicalImage img = DicomFile.open(f).readImage();
        assertEquals(3, img.components());
        byte[] want = expected("rgb_jpeg.pydicom_rgb.u8");
        assertArrayEquals(want, bytes(img), "against pydicom (Pillow and GDCM agree)");
        assertEquals("RGB", img.attributes().get("dicom.photometricInterpretation"));
    }

    @Test
    void rgbJpegWithoutAdobeMarkerMatchesDcmdjpegRunNow() throws Exception {
        Path f = resource("rgb_jpeg_noadobe_ids012.dcm");
        assertArrayEquals(bytes(dcmdjpeg(f)), bytes(DicomFile.open(f).readImage()));
    }

    /** A conformant YBR_RCT file (bare codestream, MCT on, tile-parts counted right): the colours are the source's. */
    @Test
    void jpeg2000WithReversibleColourTransformDecodesToTheOriginalRgb() throws Exception {
        MedicalImage img = DicomFile.open(resource("rgb_j2k_ybr_rct.dcm")).readImage();
        assertArrayEquals(expected("rgb_native.u8"), bytes(img), "lossless: the RGB the file was made from");
        assertEquals("RGB", img.attributes().get("dicom.photometricInterpretation"));
    }

    @Test
    void jpeg2000YbrRctWithUndercountedTilePartsDecodesEveryLayer() throws Exception {
        // pydicom's GDCMJ2K_TextGBR.dcm: a JP2 file (not a bare codestream) whose 16 tiles have 6 tile-parts each
        // but declare 5; jai-imageio dropped the last quality layer, off by up to 108 on the letters.
        MedicalImage img = DicomFile.open(resource("GDCMJ2K_TextGBR.dcm")).readImage();
        assertEquals("RGB", img.attributes().get("dicom.photometricInterpretation"));
        byte[] got = bytes(img);
        assertEquals(400 * 400 * 3, got.length);
        // The values pydicom's own tests check (with GDCM and pylibjpeg), then the SHA-256 of GDCM's whole decode.
        assertArrayEquals(new int[] {223, 32, 32}, rgbAt(got, 400, 45, 140));
        assertArrayEquals(new int[] {255, 0, 0}, rgbAt(got, 400, 46, 140));
        assertArrayEquals(new int[] {128, 128, 128}, rgbAt(got, 400, 350, 195));
        assertEquals("bea5673fdd49313fd8c391f115e57ac501f44194aa3915c22293ddb55f1d0b88", sha256(got));
    }

    private static int[] rgbAt(byte[] rgb, int width, int row, int col) {
        int p = 3 * (row * width + col);
        return new int[] {rgb[p] & 0xFF, rgb[p + 1] & 0xFF, rgb[p + 2] & 0xFF};
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void nativeYbrFull422ComesOutAsRgb() throws Exception {
        MedicalImage img = DicomFile.open(resource("ybr422_native.dcm")).readImage();
        assertEquals(3, img.components());
        assertEquals(100, img.width());
        assertEquals("RGB", img.attributes().get("dicom.photometricInterpretation"));
        assertWithinOneOfPydicom(expected("ybr422_native.pydicom_rgb.u8"), img);
    }

    @Test
    void pydicomsNativeYbrFull422SampleComesOutAsRgb() throws Exception {
        MedicalImage img = DicomFile.open(resource("SC_ybr_full_422_uncompressed.dcm")).readImage();
        assertWithinOneOfPydicom(expected("sc_ybr422_pydicom_rgb.u8"), img);
    }

    /**
     * Asserts that {@code img}'s 8-bit values differ from pydicom's by at most 1: pydicom converts YBR with the same
     * equations in floating point and truncates; we round.
     */
    private static void assertWithinOneOfPydicom(byte[] want, MedicalImage img) {
        byte[] got = bytes(img);
        assertEquals(want.length, got.length);
        int worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs((want[i] & 0xFF) - (got[i] & 0xFF)));
        }
        assertTrue(worst <= 1, "largest difference from pydicom is " + worst);
    }

    @Test
    void pydicomsRtDoseSampleHasItsGridPositions() throws Exception {
        DicomFile f = DicomFile.open(resource("rtdose.dcm"));
        assertEquals(15, f.frameCount());
        for (int k = 0; k < 15; k++) {
            assertEquals(-761.87 + 5 * k, f.frames().get(k).position().orElseThrow().z(), 1e-9, "frame " + k);
        }
        Affine want = Affine.of(CoordinateSystem.LPS, 10, 0, 0, 189.43125, 0, 10, 0, 199.43125, 0, 0, 5, -761.87);
        assertTrue(f.affine().approximatelyEquals(want, 1e-9), f.affine().toString());
    }

    @Test
    void nativeYbrFull422WithOddColumnsIsRefusedByName() throws IOException {
        TestDicom d = TestDicom.image(1, 3, 8, 8, false, 1).us(0x00280002, 3).str(0x00280004, "CS", "YBR_FULL_422")
                .pixels("OB", new byte[6]);
        Path p = dir.resolve("odd.dcm");
        Files.write(p, d.write(TestDicom.Syntax.EXPLICIT_LE));
        IOException e = assertThrows(IOException.class, () -> DicomFile.open(p).readImage());
        assertTrue(e.getMessage().contains("YBR_FULL_422") && e.getMessage().contains("odd.dcm"), e.getMessage());
    }

    /** A 3-frame RT Dose grid: 2 x 2 pixels, 2.5 mm apart, frames along the normal by the Grid Frame Offset Vector. */
    private static TestDicom dose(String offsets, String orientation) {
        return TestDicom.image(2, 2, 16, 16, false, 3)
                .str(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.481.2")
                .str(0x00080060, "CS", "RTDOSE")
                .str(0x00200032, "DS", "-10\\-20\\30")
                .str(0x00200037, "DS", orientation)
                .str(0x00280030, "DS", "2.5\\2.5")
                .str(0x3004000C, "DS", offsets)
                .pixels("OW", TestDicom.le16(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    }

    @Test
    void rtDoseFramesArePlacedByGridFrameOffsetVector() throws IOException {
        Path rel = dir.resolve("dose_rel.dcm");
        Files.write(rel, dose("0\\4\\8", "1\\0\\0\\0\\1\\0").write(TestDicom.Syntax.IMPLICIT_LE));
        DicomFile f = DicomFile.open(rel);
        assertEquals(30, f.frames().get(0).position().orElseThrow().z(), 1e-9);
        assertEquals(34, f.frames().get(1).position().orElseThrow().z(), 1e-9);
        assertEquals(38, f.frames().get(2).position().orElseThrow().z(), 1e-9);
        Affine want = Affine.of(CoordinateSystem.LPS, 2.5, 0, 0, -10, 0, 2.5, 0, -20, 0, 0, 4, 30);
        assertTrue(f.affine().approximatelyEquals(want, 1e-9), f.affine().toString());

        // Absolute form (first offset not 0, axial only): the offsets are z coordinates.
        Path abs = dir.resolve("dose_abs.dcm");
        Files.write(abs, dose("30\\27\\24", "1\\0\\0\\0\\1\\0").write(TestDicom.Syntax.EXPLICIT_LE));
        DicomFile a = DicomFile.open(abs);
        assertEquals(24, a.frames().get(2).position().orElseThrow().z(), 1e-9);
        assertEquals(-3, a.affine().get(2, 2), 1e-9);

        // A coronal grid: offsets run along the normal (row x column = (1,0,0) x (0,0,-1) = (0,1,0)).
        Path cor = dir.resolve("dose_cor.dcm");
        Files.write(cor, dose("0\\5\\10", "1\\0\\0\\0\\0\\-1").write(TestDicom.Syntax.EXPLICIT_LE));
        DicomFile c = DicomFile.open(cor);
        var p2 = c.frames().get(2).position().orElseThrow();
        assertArrayEquals(new double[] {-10, -10, 30}, new double[] {p2.x(), p2.y(), p2.z()}, 1e-9);
    }

    @Test
    void gridFrameOffsetVectorOfTheWrongLengthIsRefusedByName() throws IOException {
        Path p = dir.resolve("dose_bad.dcm");
        Files.write(p, dose("0\\4", "1\\0\\0\\0\\1\\0").write(TestDicom.Syntax.EXPLICIT_LE));
        IOException e = assertThrows(IOException.class, () -> DicomFile.open(p).readImage());
        assertTrue(e.getMessage().contains("(3004,000C)") && e.getMessage().contains("dose_bad.dcm"), e.getMessage());
    }

    @Test
    void orientationCosinesThatAreNotUnitLengthAreNormalised() throws IOException {
        // Cosines written scaled by 2 and rounded: the voxel size must still be the Pixel Spacing.
        TestDicom d = TestDicom.image(2, 2, 16, 16, false, 1)
                .str(0x00200032, "DS", "0\\0\\0")
                .str(0x00200037, "DS", "2\\0\\0\\0\\1.9999\\0.0001")
                .str(0x00280030, "DS", "0.5\\0.7")
                .str(0x00180050, "DS", "3")
                .pixels("OW", TestDicom.le16(1, 2, 3, 4));
        Path p = dir.resolve("iop.dcm");
        Files.write(p, d.write(TestDicom.Syntax.EXPLICIT_LE));
        MedicalImage img = DicomFile.open(p).readImage();
        double[] s = img.affine(CoordinateSystem.LPS).spacing();
        assertEquals(0.7, s[0], 1e-12);
        assertEquals(0.5, s[1], 1e-12);
        assertEquals(3, s[2], 1e-12);
    }
}
