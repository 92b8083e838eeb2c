package dev.medsam.io.dicom;

import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.dicom.internal.PixelDecoder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Readers never crash on mangled input: whatever the bytes, opening and decoding either succeeds or throws an
 * IOException that names the file and a tag (gggg,eeee) or byte offset; never another exception, a stack overflow, a
 * hang, or an allocation the file cannot justify.
 */
class DicomBadInputPropertiesTest {

    /** A message must point at the fault: a tag, a byte offset, a frame or a named attribute. */
    private static final Pattern LOCATES = Pattern.compile("\\([0-9A-F]{4},[0-9A-F]{4}\\)|byte offset|offset|frame|"
            + "not a DICOM file|fragment|segment|CSA");
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static List<Path> realFiles() {
        if (!Fixtures.available()) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(Fixtures.sharedDir().resolve("data/dicom"))) {
            return s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Provide
    Arbitrary<Path> realFile() {
        List<Path> files = realFiles();
        Assume.that(!files.isEmpty());
        return Arbitraries.of(files);
    }

    /** Opens and decodes {@code bytes} as a file; asserts the outcome is a success or a well-formed IOException. */
    static void readsOrFailsCleanly(byte[] bytes) throws IOException {
        Path p = Files.createTempFile("mangled", ".dcm");
        try {
            Files.write(p, bytes);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            long decoded = 0;
            try {
                DicomFile f = DicomFile.open(p);
                if (f.hasPixelData()) {
                    decoded = (long) f.rows() * f.columns() * f.samplesPerPixel() * f.frameCount();
                }
                f.frames();
                f.affine();
                if (f.hasPixelData()) {
                    f.readImage();
                    if (f.mosaicSliceCount().isPresent()) {
                        f.readMosaicVolume();
                    }
                }
            } catch (IOException e) {
                String m = String.valueOf(e.getMessage());
                assertTrue(m.contains(p.getFileName().toString()), () -> "message does not name the file: " + m);
                assertTrue(LOCATES.matcher(m).find(), () -> "message names no tag, offset or frame: " + m);
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("not an IOException on " + bytes.length + " mangled bytes: " + e, e);
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            // Memory follows the file and the image it declares (whose Rows x Columns the decoders check against the
            // codestream before decoding). jj2000 (JPEG 2000) keeps int and float planes per component, wavelet level
            // and code-block, and a damaged header (more levels, other code-block or precinct sizes) makes it churn
            // through hundreds of bytes per sample: bit flips in a 30 KB file of 400 x 400 x 3 samples allocated 69 MB
            // and 275 MB in total (garbage, not a live set). The declared image is capped so that a header declaring a
            // huge image cannot excuse a huge allocation.
            long limit = 32L * bytes.length + 1024L * Math.min(decoded, 1L << 20) + (64L << 20);
            long pixels = decoded;
            assertTrue(allocated < limit, () -> "allocated " + allocated + " bytes for a file of " + bytes.length
                    + " declaring " + pixels + " samples");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 10_000, () -> "took " + ms + " ms");
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Property(tries = 120)
    void truncatedRealFiles(@ForAll("realFile") Path file, @ForAll @IntRange(min = 0, max = 10_000) int permille)
            throws IOException {
        byte[] all = Files.readAllBytes(file);
        // Half the cuts fall in the first 4 KiB, where the header is.
        int cut = permille % 2 == 0 ? Math.min(all.length - 1, permille % 4096) : (int) ((long) all.length * permille / 10_000);
        cut = Math.min(cut, all.length - 1);
        byte[] b = new byte[cut];
        System.arraycopy(all, 0, b, 0, cut);
        readsOrFailsCleanly(b);
    }

    @Property(tries = 200)
    void bitFlippedRealFiles(@ForAll("realFile") Path file, @ForAll long seed) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Random r = new Random(seed);
        int flips = 1 + r.nextInt(8);
        for (int i = 0; i < flips; i++) {
            // Mostly in the header: flips in pixel data only change values.
            int pos = r.nextInt(4) > 0 ? r.nextInt(Math.min(b.length, 3000)) : r.nextInt(b.length);
            b[pos] ^= (byte) (1 << r.nextInt(8));
        }
        readsOrFailsCleanly(b);
    }

    @Property(tries = 60)
    void bitFlipsInCompressedPixelData(@ForAll("compressedFile") Path file, @ForAll long seed) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Random r = new Random(seed);
        int flips = 1 + r.nextInt(16);
        for (int i = 0; i < flips; i++) {
            // The codestreams fill the second half of these files: decoders must fail cleanly, not loop or crash.
            int pos = b.length / 2 + r.nextInt(b.length / 2);
            b[pos] ^= (byte) (1 << r.nextInt(8));
        }
        readsOrFailsCleanly(b);
    }

    @Provide
    Arbitrary<Path> compressedFile() {
        List<Path> files = realFiles().stream().filter(p -> p.getFileName().toString().matches("ts[4579]_.*")).toList();
        Assume.that(!files.isEmpty());
        return Arbitraries.of(files);
    }

    @Property(tries = 150)
    void elementLengthsThatLie(@ForAll @IntRange(min = 0, max = 5) int which, @ForAll @LongRange(min = 0, max = 0xFFFFFFFFL) long length,
                               @ForAll boolean implicit) throws IOException {
        TestDicom d = TestDicom.image(4, 4, 16, 16, true, 1);
        int[] tags = {0x00100010, 0x00081030, 0x00090010, 0x00200032, 0x00280030, 0x00181030};
        String[] vrs = {"PN", "LO", "LO", "DS", "DS", "LO"};
        for (int i = 0; i < tags.length; i++) {
            if (i == which) {
                d.lying(tags[i], vrs[i], "ABCD".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        implicit ? length : length & 0xFFFF);
            } else {
                d.str(tags[i], vrs[i], i == 3 ? "1\\2\\3" : i == 4 ? "0.5\\0.5" : "X");
            }
        }
        d.pixels("OW", new byte[32]);
        readsOrFailsCleanly(d.write(implicit ? TestDicom.Syntax.IMPLICIT_LE : TestDicom.Syntax.EXPLICIT_LE));
    }

    @Property(tries = 20)
    void sequencesNestedThousandsDeep(@ForAll @IntRange(min = 1, max = 5000) int depth, @ForAll boolean undefinedLength)
            throws IOException {
        byte[] body = nestedSequences(depth, undefinedLength);
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.writeBytes(new TestDicom().write(TestDicom.Syntax.EXPLICIT_LE));
        file.writeBytes(body);
        file.writeBytes(TestDicom.image(1, 1, 16, 16, false, 1).pixels("OW", new byte[2]).encode(true, false));
        byte[] bytes = file.toByteArray();
        Path p = Files.createTempFile("nested", ".dcm");
        try {
            Files.write(p, bytes);
            try {
                DicomFile.open(p);
                assertTrue(depth < 32, "depth " + depth + " was accepted");
            } catch (IOException e) {
                assertTrue(depth >= 30, "depth " + depth + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("nested more than"), e.getMessage());
                assertTrue(e.getMessage().contains("(0008,1140)"), e.getMessage());
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }

    /**
     * An item holding one short-string element, wrapped {@code depth + 1} times in a sequence (0008,1140) of one
     * item. Built without recursion (the test's own writer must not be what overflows) and in linear time: the
     * wrappers' lengths are known from the inside out, so the headers are written outermost first, then the
     * innermost element, then the closing delimiters.
     */
    static byte[] nestedSequences(int depth, boolean undefinedLength) {
        byte[] inner = new TestDicom().str(0x00080100, "SH", "X").encode(true, false);
        int levels = depth + 1;
        long[] contentLength = new long[levels]; // of what level i wraps; level 0 is the innermost
        contentLength[0] = inner.length;
        for (int i = 1; i < levels; i++) {
            contentLength[i] = contentLength[i - 1] + (undefinedLength ? 36 : 20);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] sequenceTag = {0x08, 0x00, 0x40, 0x11, 'S', 'Q', 0, 0};
        byte[] itemTag = {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0};
        for (int i = levels - 1; i >= 0; i--) {
            out.writeBytes(sequenceTag);
            out.writeBytes(TestDicom.le32(undefinedLength ? 0xFFFFFFFFL : contentLength[i] + 8));
            out.writeBytes(itemTag);
            out.writeBytes(TestDicom.le32(undefinedLength ? 0xFFFFFFFFL : contentLength[i]));
        }
        out.writeBytes(inner);
        if (undefinedLength) {
            for (int i = 0; i < levels; i++) {
                out.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x0D, (byte) 0xE0, 0, 0, 0, 0}); // item end
                out.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xDD, (byte) 0xE0, 0, 0, 0, 0}); // sequence end
            }
        }
        return out.toByteArray();
    }

    @Property(tries = 100)
    void fragmentTablesPointingAnywhere(@ForAll @LongRange(min = 0, max = 0xFFFFFFFFL) long offset1,
                                        @ForAll @IntRange(min = 1, max = 4) int frames) throws IOException {
        List<byte[]> fragments = new ArrayList<>();
        for (int i = 0; i < frames + 1; i++) {
            fragments.add(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, (byte) 0xFF, (byte) 0xD9});
        }
        byte[] table = new byte[4 * frames];
        for (int f = 1; f < frames; f++) {
            System.arraycopy(TestDicom.le32(offset1 * f), 0, table, 4 * f, 4);
        }
        TestDicom d = TestDicom.image(8, 8, 8, 8, false, frames).fragments(table, fragments);
        readsOrFailsCleanly(d.write(TestDicom.Syntax.RLE));
    }

    @Property(tries = 100)
    void pixelDataShorterThanTheImage(@ForAll @IntRange(min = 1, max = 65535) int rows, @ForAll @IntRange(min = 1, max = 65535) int cols,
                                      @ForAll @IntRange(min = 1, max = 100_000) int frames, @ForAll @IntRange(min = 0, max = 64) int have)
            throws IOException {
        TestDicom d = TestDicom.image(rows, cols, 16, 16, false, frames).pixels("OW", new byte[have * 2]);
        Path p = Files.createTempFile("short", ".dcm");
        try {
            Files.write(p, d.write(TestDicom.Syntax.EXPLICIT_LE));
            long needed = 2L * rows * cols * frames;
            try {
                DicomFile.open(p).readImage();
                assertTrue(needed <= have * 2L, "read an image of " + needed + " bytes from " + have * 2);
            } catch (IOException e) {
                assertTrue(e.getMessage().contains("(7FE0,0010)") || e.getMessage().contains("(0028,"), e.getMessage());
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Property(tries = 60)
    void hugeImagesWithTinyCompressedData(@ForAll @IntRange(min = 1000, max = 65535) int rows,
                                          @ForAll @IntRange(min = 1000, max = 65535) int cols,
                                          @ForAll boolean rle) throws IOException {
        byte[] frame = new byte[80];
        System.arraycopy(TestDicom.le32(2), 0, frame, 0, 4);
        System.arraycopy(TestDicom.le32(64), 0, frame, 4, 4);
        System.arraycopy(TestDicom.le32(72), 0, frame, 8, 4);
        frame[64] = (byte) -127;
        if (!rle) {
            frame[0] = (byte) 0xFF;
            frame[1] = (byte) 0xD8;
        }
        TestDicom d = TestDicom.image(rows, cols, 16, 16, false, 1).fragments(new byte[0], List.of(frame));
        byte[] bytes = d.write(rle ? TestDicom.Syntax.RLE : TestDicom.Syntax.JPEG_LS);
        readsOrFailsCleanly(bytes);
        Path p = Files.createTempFile("huge", ".dcm");
        try {
            Files.write(p, bytes);
            DicomFile.open(p).readImage();
            fail("decoded a " + rows + " x " + cols + " image from 80 bytes");
        } catch (IOException expected) {
            // Beyond what the reader allows these 80 bytes (16 MiB free plus a bounded expansion per compressed
            // byte), the size is refused before a byte is decoded; below it, decoding starts and fails cleanly.
            long allowed = PixelDecoder.FREE_BYTES
                    + frame.length * (rle ? PixelDecoder.RLE_MAX_EXPANSION : PixelDecoder.MAX_EXPANSION);
            if (2L * rows * cols > allowed) {
                assertTrue(expected.getMessage().contains("cannot hold") || expected.getMessage().contains("can hold"),
                        expected.getMessage());
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Found by CI's random seed: a 4245 x 1983 16-bit image (16.8 MB, just over 16 MiB) in 80 bytes of JPEG-LS
     * is within what the reader allows and fails while decoding, which the property above once took for a miss.
     */
    @Example
    void imagesJustOverSixteenMebibytesFailWhileDecoding() throws IOException {
        hugeImagesWithTinyCompressedData(4245, 1983, false);
        hugeImagesWithTinyCompressedData(4231, 1983, true);
    }

    @Property(tries = 200)
    void randomBytesAfterAValidPreamble(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2000) int length)
            throws IOException {
        Random r = new Random(seed);
        byte[] b = new byte[132 + length];
        b[128] = 'D';
        b[129] = 'I';
        b[130] = 'C';
        b[131] = 'M';
        for (int i = 132; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        if (length >= 4) {
            b[132] = 2; // a meta group tag start, so the parser goes further in
            b[133] = 0;
        }
        readsOrFailsCleanly(b);
    }

    @Property(tries = 5)
    void theUnmangledFilesRead(@ForAll("realFile") Path file) throws IOException {
        DicomFile f = DicomFile.open(file);
        assertEquals(f.rows() * f.columns() * f.frameCount() * f.samplesPerPixel(), (int) f.readImage().valueCount());
    }
}
