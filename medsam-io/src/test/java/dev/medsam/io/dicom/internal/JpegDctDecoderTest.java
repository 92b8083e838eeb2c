package dev.medsam.io.dicom.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DCT decoder on streams the DICOM test files do not cover: restart intervals, 8-bit grey, bad headers. */
class JpegDctDecoderTest {

    private static byte[] load(String name) throws IOException {
        try (InputStream in = JpegDctDecoderTest.class.getResourceAsStream("/dicom/gaps/" + name)) {
            if (in == null) {
                throw new IOException("test resource /dicom/gaps/" + name + " is missing");
            }
            return in.readAllBytes();
        }
    }

    private static final PixelModule GREY_83_101 = new PixelModule(83, 101, 1, 1, 8, 8, 7, false, false, "MONOCHROME2", false);

    @Test
    void restartIntervalsDecodeBitExactToLibjpegTurbo() throws IOException {
        // OpenCV 4.6 (libjpeg-turbo, islow) wrote it with a restart marker every 3 MCUs and decoded the reference.
        byte[] jpeg = load("grey8_rst3.jpg");
        byte[] out = new byte[83 * 101];
        JpegDctDecoder.decodeInto(jpeg, GREY_83_101, out, 0, "grey8_rst3.jpg");
        assertArrayEquals(load("grey8_rst3.cv2.u8"), out);
    }

    @Test
    void aMissingRestartMarkerIsNamed() throws IOException {
        byte[] jpeg = load("grey8_rst3.jpg");
        int at = -1;
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xD1) {
                at = i;
                break;
            }
        }
        assertTrue(at > 0);
        jpeg[at + 1] = (byte) 0xD5; // RST5 where RST1 belongs
        IOException e = assertThrows(IOException.class,
                () -> JpegDctDecoder.decodeInto(jpeg, GREY_83_101, new byte[83 * 101], 0, "x.dcm: frame 1"));
        assertTrue(e.getMessage().startsWith("x.dcm: frame 1: JPEG stream at byte "), e.getMessage());
        assertTrue(e.getMessage().contains("FFD1"), e.getMessage());
    }

    @Test
    void aSizeThatDisagreesWithTheDicomHeaderIsRefused() throws IOException {
        byte[] jpeg = load("grey8_rst3.jpg");
        PixelModule other = new PixelModule(84, 101, 1, 1, 8, 8, 7, false, false, "MONOCHROME2", false);
        IOException e = assertThrows(IOException.class,
                () -> JpegDctDecoder.decodeInto(jpeg, other, new byte[84 * 101], 0, "y.dcm"));
        assertTrue(e.getMessage().contains("101 x 83") && e.getMessage().contains("Columns x Rows"), e.getMessage());
    }

    @Test
    void colourDecisionFollowsAdobeThenIdsThenPhotometric() {
        var noMarkers = new JpegDctDecoder.Info(0xC0, 8, 4, 4, new int[] {0, 1, 2}, false, -1);
        assertFalse(JpegDctDecoder.transformed(noMarkers, "RGB"));
        assertTrue(JpegDctDecoder.transformed(noMarkers, "YBR_FULL_422"));
        var rgbIds = new JpegDctDecoder.Info(0xC0, 8, 4, 4, new int[] {'R', 'G', 'B'}, true, -1);
        assertFalse(JpegDctDecoder.transformed(rgbIds, "YBR_FULL"));
        var adobeYcc = new JpegDctDecoder.Info(0xC0, 8, 4, 4, new int[] {0, 1, 2}, false, 1);
        assertTrue(JpegDctDecoder.transformed(adobeYcc, "RGB"));
        var adobeNone = new JpegDctDecoder.Info(0xC0, 8, 4, 4, new int[] {1, 2, 3}, false, 0);
        assertFalse(JpegDctDecoder.transformed(adobeNone, "YBR_FULL"));
        // 12-bit goes to this decoder whatever the colour; 8-bit grey and progressive stay with ImageIO.
        PixelModule grey16 = new PixelModule(4, 4, 1, 1, 16, 12, 11, false, false, "MONOCHROME2", false);
        assertTrue(JpegDctDecoder.handles(new JpegDctDecoder.Info(0xC1, 12, 4, 4, new int[] {1}, false, -1), grey16));
        assertFalse(JpegDctDecoder.handles(new JpegDctDecoder.Info(0xC0, 8, 4, 4, new int[] {1}, false, -1), GREY_83_101));
        assertFalse(JpegDctDecoder.handles(new JpegDctDecoder.Info(0xC2, 12, 4, 4, new int[] {1}, false, -1), grey16));
        assertTrue(Arrays.equals(new int[] {0, 1, 2}, noMarkers.componentIds()));
    }

    @Test
    void twelveBitYcbcrIsRefusedNotDeliveredUnconverted() {
        // SOI, SOF1 12-bit 8 x 8 with components 1,2,3 (JFIF-style ids, no markers): YCbCr for a YBR image.
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC1, 0, 17, 12, 0, 8, 0, 8, 3, 1, 0x11, 0, 2, 0x11, 0,
            3, 0x11, 0, (byte) 0xFF, (byte) 0xD9};
        PixelModule ybr = new PixelModule(8, 8, 1, 3, 16, 12, 11, false, false, "YBR_FULL", false);
        IOException e = assertThrows(IOException.class, () -> JpegDctDecoder.decodeInto(jpeg, ybr, new byte[384], 0, "z.dcm"));
        assertTrue(e.getMessage().startsWith("z.dcm: 12-bit YCbCr"), e.getMessage());
    }
}
