package dev.medsam.examples.cli;

import dev.medsam.core.testing.JavaProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19: hostile inputs through the command line, each generated small. Every case must end with exit 1 and
 * one clear line, within seconds, both in this JVM (the build's heap) and, for the memory cases, in a JVM of
 * its own at -Xmx1g. The download cases are in {@link DownloadCommandTest}.
 */
class HostileInputTest {

    /** Generous for a loaded 2-core machine; the point is "seconds", not "hangs" or "drains gigabytes". */
    private static final long SECONDS = 30;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ case 1: many large DICOM elements

    @Test
    void aDeflatedDicomWithManyLargePrivateElementsIsRefused() throws Exception {
        Path file = deflatedDicomWithPrivateElements(dir.resolve("private.dcm"), 6, 60 << 20);
        assertTrue(Files.size(file) < 2_000_000, "the file is small: " + Files.size(file));
        for (CliRun run : List.of(cli("inspect", file.toString()), smallHeap("inspect", file.toString()))) {
            assertEquals(1, run.exitCode(), run.toString());
            assertTrue(run.err().contains("header") && run.err().contains(file.toString()), run.err());
            assertOneLine(run);
        }
    }

    // ------------------------------------------------------------------ case 5: pickle of one-byte containers

    @Test
    void aPickleOfTuple1OpcodesIsRefused() throws Exception {
        byte[] pickle = new byte[3 + (8 << 20) + 1];
        pickle[0] = (byte) 0x80;
        pickle[1] = 2;
        pickle[2] = 'N';
        java.util.Arrays.fill(pickle, 3, pickle.length - 1, (byte) 0x85);
        pickle[pickle.length - 1] = '.';
        Path file = torchZip(dir.resolve("tuples.pth"), pickle);
        for (CliRun run : List.of(cli("info", "-c", file.toString()), smallHeap("info", "-c", file.toString()))) {
            assertEquals(1, run.exitCode(), run.toString());
            assertTrue(run.err().contains("nest more than"), run.err());
            assertOneLine(run);
        }
    }

    // ------------------------------------------------------------------ case 6: large legal arrays, trailing data

    @Test
    void aSmallNiftiGzDeclaringGigabytesIsRefusedBeforeAllocating() throws Exception {
        Path file = dir.resolve("huge.nii.gz");
        byte[] header = niftiHeader(1024, 1024, 1430); // 1.5 GB of uint8
        byte[] noise = new byte[1_500_000];
        new Random(1).nextBytes(noise);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(header);
            out.write(noise);
        }
        CliRun small = smallHeap("inspect", file.toString());
        assertEquals(1, small.exitCode(), small.toString());
        assertTrue(small.err().contains("this image needs 3.0 GB, the JVM may use")
                && small.err().contains("raise -Xmx or MEDSAM_JAVA_OPTS"), small.err());
        assertOneLine(small);
        // with room for it, the read finds that the data is not there
        CliRun big = cli("inspect", file.toString());
        assertEquals(1, big.exitCode(), big.toString());
        assertTrue(big.err().contains("truncated") || big.err().contains("this image needs"), big.err());
    }

    @Test
    void trailingDataAfterATinyNiftiGzIsNotDrained() throws Exception {
        Path file = dir.resolve("tail.nii.gz");
        byte[] header = niftiHeader(2, 2, 1);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            out.write(header);
            out.write(new byte[] {1, 2, 3, 4});
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 512; i++) {
                out.write(zeros); // 512 MiB that no reader needs
            }
        }
        long start = System.nanoTime();
        CliRun run = cli("inspect", file.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("2 x 2"), run.out());
        assertTrue(run.err().contains("were not read"), run.err());
        assertTrue(seconds < 5, "took " + seconds + " s");
    }

    @Test
    void anNpzMemberDeclaringGigabytesIsRefused() throws Exception {
        Path file = dir.resolve("huge.npz");
        byte[] noise = new byte[1_700_000];
        new Random(2).nextBytes(noise);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("imgs.npy"));
            zip.write(npyHeader("|u1", "(40000, 40000)"));
            zip.write(noise);
            zip.closeEntry();
        }
        CliRun small = smallHeap("inspect", file.toString());
        assertEquals(1, small.exitCode(), small.toString());
        assertTrue(small.err().contains("this image needs 3.2 GB"), small.err());
        assertOneLine(small);
        CliRun big = cli("inspect", file.toString());
        assertEquals(1, big.exitCode(), big.toString());
    }

    // ------------------------------------------------------------------ case 7: not a regular file

    @Test
    void aNamedPipeIsRefusedAtOnce() throws Exception {
        Path fifo = dir.resolve("image.nii");
        Process mk;
        try {
            mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        } catch (IOException e) {
            Assumptions.abort("no mkfifo here: " + e.getMessage());
            return;
        }
        Assumptions.assumeTrue(mk.waitFor() == 0 && Files.exists(fifo), "mkfifo failed");
        for (String[] args : List.of(new String[] {"inspect", fifo.toString()},
                new String[] {"info", "-c", fifo.toString()})) {
            CliRun run = cli(args);
            assertEquals(1, run.exitCode(), run.toString());
            assertTrue(run.err().contains(fifo + " is a named pipe (FIFO)") || run.err().contains("not a regular file"),
                    run.err());
            assertOneLine(run);
        }
        Path device = Path.of("/dev/zero");
        if (Files.exists(device)) {
            CliRun run = cli("inspect", device.toString());
            assertEquals(1, run.exitCode(), run.toString());
            assertTrue(run.err().contains("character device"), run.err());
        }
    }

    // ------------------------------------------------------------------ case 8: escape sequences in names

    @Test
    void escapeSequencesFromFilesNeverReachTheTerminal() throws Exception {
        // a checkpoint whose pickle asks for a global named with a "clear screen" sequence
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(new byte[] {(byte) 0x80, 2, 'c'});
        p.writeBytes("os\u001b[2J\nsys\u001b]0;pwned\u0007tem\n".getBytes(StandardCharsets.ISO_8859_1));
        p.write('.');
        Path ckpt = torchZip(dir.resolve("evil.pth"), p.toByteArray());
        CliRun info = cli("info", "-c", ckpt.toString());
        assertEquals(1, info.exitCode(), info.toString());
        assertNoControlCharacters(info);
        assertTrue(info.err().contains("\\e[2J"), info.err());

        // an npz whose non-array member has an escape sequence in its name (reported as a warning)
        Path npz = dir.resolve("evil.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
            zip.putNextEntry(new ZipEntry("a.npy"));
            zip.write(npyHeader("<i2", "(2, 3)"));
            zip.write(new byte[12]);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("\u001b[31mred\u001b[0m.txt"));
            zip.write(1);
            zip.closeEntry();
        }
        CliRun inspect = cli("inspect", npz.toString());
        assertEquals(0, inspect.exitCode(), inspect.toString());
        assertNoControlCharacters(inspect);
        assertTrue(inspect.err().contains("\\e[31mred"), inspect.err());
    }

    @Test
    void terminalTextEscapesControlsAndBidiOverridesButKeepsText() {
        assertEquals("a\\e[2Jb\\x07c\\x9b\\u202e d:\\x\\y é", TerminalText.escape("a\u001b[2Jb\u0007c\u009b\u202e d:\\x\\y é"));
        assertEquals("one" + System.lineSeparator() + "two\\t", TerminalText.escapeKeepingLines("one\ntwo\t"));
    }

    // ------------------------------------------------------------------ helpers

    private static void assertNoControlCharacters(CliRun run) {
        for (String s : new String[] {run.out(), run.err()}) {
            assertFalse(s.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\r' || c == 0x7f || c >= 0x80 && c <= 0x9f),
                    "control character reached the terminal: " + run);
        }
    }

    /** One line: no stack trace. */
    private static void assertOneLine(CliRun run) {
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception in thread"), run.toString());
        assertFalse(run.err().contains("OutOfMemoryError"), run.toString());
    }

    private static CliRun cli(String... args) {
        long start = System.nanoTime();
        CliRun run = CliRun.of(args);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < SECONDS, "took " + seconds + " s: " + run);
        return run;
    }

    /** The command in a JVM of its own at -Xmx1g, as a user with a small heap would run it. */
    private CliRun smallHeap(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(JavaProcess.tool("java").toString(), "-Xmx1g", "-cp",
                JavaProcess.classPath(), "dev.medsam.examples.cli.MedSamCommand"));
        command.addAll(List.of(args));
        JavaProcess.Finished f = JavaProcess.run(command, dir, Map.of(), SECONDS);
        return new CliRun(f.exitCode(), f.out(), f.err());
    }

    /** A NIfTI-1 header (uint8, unit spacing, vox_offset 352) for the given dims, with the 4-byte extension flag. */
    static byte[] niftiHeader(int nx, int ny, int nz) {
        ByteBuffer b = ByteBuffer.allocate(352).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 348);
        b.putShort(40, (short) 3);
        b.putShort(42, (short) nx);
        b.putShort(44, (short) ny);
        b.putShort(46, (short) nz);
        for (int i = 48; i < 56; i += 2) {
            b.putShort(i, (short) 1);
        }
        b.putShort(70, (short) 2); // DT_UINT8
        b.putShort(72, (short) 8);
        for (int i = 0; i < 8; i++) {
            b.putFloat(76 + 4 * i, 1f);
        }
        b.putFloat(108, 352f);
        b.putFloat(112, 1f); // scl_slope
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        return b.array();
    }

    static byte[] npyHeader(String descr, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - total) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** A PyTorch zip checkpoint with only data.pkl (and byteorder). */
    static Path torchZip(Path file, byte[] pickle) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            stored(zip, "ckpt/data.pkl", pickle);
            stored(zip, "ckpt/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    /** PyTorch stores its entries uncompressed (and the reader insists). */
    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * A deflated explicit-VR little-endian DICOM file whose data set holds {@code count} private OB elements of
     * {@code size} zero bytes each (each below the per-element cap; together far above any header's need).
     */
    static Path deflatedDicomWithPrivateElements(Path file, int count, int size) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(new byte[128]);
        head.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        byte[] ts = "1.2.840.10008.1.2.1.99".getBytes(StandardCharsets.US_ASCII); // 22 bytes, even
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        element(meta, 0x0002, 0x0010, "UI", ts);
        element(head, 0x0002, 0x0000, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(meta.size()).array());
        head.writeBytes(meta.toByteArray());
        try (OutputStream raw = Files.newOutputStream(file)) {
            raw.write(head.toByteArray());
            Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
            try (DeflaterOutputStream out = new DeflaterOutputStream(raw, deflater, 1 << 16)) {
                ByteArrayOutputStream first = new ByteArrayOutputStream();
                element(first, 0x0008, 0x0060, "CS", "OT".getBytes(StandardCharsets.US_ASCII));
                out.write(first.toByteArray());
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < count; i++) {
                    ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
                    h.putShort((short) 0x0009).putShort((short) (0x1000 + i)).put((byte) 'O').put((byte) 'B')
                            .putShort((short) 0).putInt(size);
                    out.write(h.array());
                    for (int left = size; left > 0; left -= zeros.length) {
                        out.write(zeros, 0, Math.min(left, zeros.length));
                    }
                }
            } finally {
                deflater.end();
            }
        }
        return file;
    }

    private static void element(ByteArrayOutputStream out, int group, int elem, String vr, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) group).putShort((short) elem).put(vr.getBytes(StandardCharsets.US_ASCII))
                .putShort((short) value.length);
        out.writeBytes(b.array());
        out.writeBytes(value);
    }
}
