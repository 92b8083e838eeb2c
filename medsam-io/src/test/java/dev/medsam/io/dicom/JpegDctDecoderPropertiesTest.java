package dev.medsam.io.dicom;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

/**
 * The sequential-DCT JPEG decoder (12-bit and untransformed RGB frames) never crashes or loops on mangled streams:
 * flipped bits, cut streams and overwritten runs end in an IOException that names the file and the frame, checked by
 * {@link DicomBadInputPropertiesTest#readsOrFailsCleanly}.
 */
class JpegDctDecoderPropertiesTest {

    @Provide
    Arbitrary<String> jpegFile() {
        return Arbitraries.of("ct12_jpeg_ext.dcm", "rgb_jpeg_noadobe_ids012.dcm");
    }

    private static byte[] load(String name) throws IOException {
        try (InputStream in = JpegDctDecoderPropertiesTest.class.getResourceAsStream("/dicom/gaps/" + name)) {
            if (in == null) {
                throw new IOException("test resource /dicom/gaps/" + name + " is missing");
            }
            return in.readAllBytes();
        }
    }

    /** Where the JPEG stream starts (its SOI marker after the offset table item): flips before it test the header. */
    private static int soi(byte[] b) {
        for (int i = b.length / 4; i + 2 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD8 && (b[i + 2] & 0xFF) == 0xFF) {
                return i;
            }
        }
        throw new AssertionError("no SOI in the test file");
    }

    @Property(tries = 150)
    void bitFlipsInTheJpegStream(@ForAll("jpegFile") String name, @ForAll long seed) throws IOException {
        byte[] b = load(name);
        int start = soi(b);
        Random r = new Random(seed);
        int flips = 1 + r.nextInt(12);
        for (int i = 0; i < flips; i++) {
            // Half the flips in the marker segments (the first ~600 bytes), half in the entropy-coded data.
            int pos = r.nextBoolean() ? start + r.nextInt(Math.min(600, b.length - start))
                    : start + r.nextInt(b.length - start);
            b[pos] ^= (byte) (1 << r.nextInt(8));
        }
        DicomBadInputPropertiesTest.readsOrFailsCleanly(b);
    }

    @Property(tries = 60)
    void runsOverwrittenWithMarkerBytes(@ForAll("jpegFile") String name, @ForAll long seed,
                                        @ForAll @IntRange(min = 1, max = 64) int run) throws IOException {
        byte[] b = load(name);
        int start = soi(b);
        Random r = new Random(seed);
        int pos = start + 2 + r.nextInt(b.length - start - 2);
        int[] fill = {0xFF, 0x00, 0xD0 + r.nextInt(8), 0xC4, 0xDA, 0xD9};
        for (int i = pos; i < Math.min(b.length, pos + run); i++) {
            b[i] = (byte) fill[r.nextInt(fill.length)];
        }
        DicomBadInputPropertiesTest.readsOrFailsCleanly(b);
    }

    @Property(tries = 40)
    void truncatedStreams(@ForAll("jpegFile") String name, @ForAll @IntRange(min = 0, max = 999) int permille)
            throws IOException {
        byte[] all = load(name);
        int start = soi(all);
        // The file ends inside the codestream: no item or sequence delimiter, no EOI.
        int cut = start + (int) ((long) (all.length - start) * permille / 1000);
        byte[] b = java.util.Arrays.copyOf(all, cut);
        DicomBadInputPropertiesTest.readsOrFailsCleanly(b);
    }

    /** The JP2 box walk and tile-part recount in front of the JPEG 2000 decoder fail cleanly too. */
    @Property(tries = 40)
    void bitFlipsInAJp2WrappedFrame(@ForAll long seed) throws IOException {
        byte[] b = load("GDCMJ2K_TextGBR.dcm");
        Random r = new Random(seed);
        int flips = 1 + r.nextInt(8);
        // The frame (JP2 boxes, then the codestream's main header and tile-part headers) fills the file's last 29.9 KB.
        int start = b.length - 29_912;
        for (int i = 0; i < flips; i++) {
            int pos = start + (r.nextBoolean() ? r.nextInt(2000) : r.nextInt(b.length - start));
            b[pos] ^= (byte) (1 << r.nextInt(8));
        }
        DicomBadInputPropertiesTest.readsOrFailsCleanly(b);
    }
}
