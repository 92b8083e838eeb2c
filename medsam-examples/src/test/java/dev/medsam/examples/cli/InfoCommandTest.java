package dev.medsam.examples.cli;

import dev.medsam.core.checkpoint.Checkpoints;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {

    @TempDir
    Path dir;

    /** Exit code, standard output and standard error of one {@code medsam} run. */
    record Run(int exit, String out, String err) {
    }

    private static Run medsam(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = MedSamCommand.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void describesTheTinyCheckpointInBothFormats() throws IOException {
        for (String name : new String[] {"weights/tiny_sam.pth", "weights/tiny_sam.safetensors"}) {
            Path file = Fixtures.samParity(name);
            long params = Checkpoints.read(file).parameterCount();
            Run r = medsam("info", "--checkpoint", file.toString());
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.err());
            String expected = String.join(System.lineSeparator(),
                    "checkpoint: " + file,
                    "model: custom (not a published SAM size)",
                    "embed dim: 96",
                    "depth: 4",
                    "heads: 3 (head dim 32)",
                    "window size: 14",
                    "global blocks: 1, 3",
                    "tensors: 202",
                    "parameters: " + String.format(Locale.ROOT, "%,d", params),
                    "stored dtype: float32") + System.lineSeparator();
            assertEquals(expected, r.out(), name);
            assertTrue(params > 5_000_000 && params < 6_000_000, "tiny model size: " + params);
        }
    }

    @Test
    void describesTheLiteMedSamCheckpoint() {
        Path file = Fixtures.require("fixtures/litemedsam-parity/weights/lite_medsam_random.pth");
        Run r = medsam("info", "--checkpoint", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        String expected = String.join(System.lineSeparator(),
                "checkpoint: " + file,
                "model: litemedsam",
                "encoder: TinyViT, input 256x256, embedding 256x64x64",
                "embed dims: 64, 128, 160, 320",
                "depths: 2, 2, 6, 2",
                "heads: 4, 5, 10 (layers 1-3; layer 0 is convolutional)",
                "window sizes: 7, 14, 7 (layers 1-3)",
                "patch kernel: 1",
                "tensors: 435",
                "parameters: 9,801,439",
                "stored dtype: float32, int64") + System.lineSeparator();
        assertEquals(expected, r.out());
    }

    @Test
    void aLiteMedSamCheckpointWithAMissingKeyNamesIt() throws IOException {
        // Rename one key in the archive's pickle to a key the architecture does not have (same length, so the
        // zip offsets stay valid) and give the entry its new CRC-32, so only the key layout is wrong.
        Path original = Fixtures.require("fixtures/litemedsam-parity/weights/lite_medsam_random.pth");
        byte[] bytes = Files.readAllBytes(original);
        byte[] from = "mask_decoder.iou_token.weight".getBytes(StandardCharsets.US_ASCII);
        byte[] to = "mask_decoder.iou_tokex.weight".getBytes(StandardCharsets.US_ASCII);
        long oldCrc;
        byte[] pickle;
        try (ZipFile zip = new ZipFile(original.toFile())) {
            ZipEntry entry = zip.getEntry("lite_medsam_random/data.pkl");
            oldCrc = entry.getCrc();
            pickle = zip.getInputStream(entry).readAllBytes();
        }
        int inPickle = indexOf(pickle, from);
        assertTrue(inPickle >= 0, "key found in the pickle");
        System.arraycopy(to, 0, pickle, inPickle, to.length);
        CRC32 crc = new CRC32();
        crc.update(pickle);
        int at = indexOf(bytes, from);
        assertTrue(at >= 0, "key found in the file (the pickle is stored uncompressed)");
        System.arraycopy(to, 0, bytes, at, to.length);
        byte[] oldLe = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) oldCrc).array();
        byte[] newLe = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array();
        int replaced = 0;
        for (int i = indexOf(bytes, oldLe); i >= 0; i = indexOf(bytes, oldLe)) {
            System.arraycopy(newLe, 0, bytes, i, 4);
            replaced++;
        }
        assertEquals(2, replaced, "CRC in the local header and the central directory");
        Path renamed = dir.resolve("renamed.pth");
        Files.write(renamed, bytes);
        Run r = medsam("info", "--checkpoint", renamed.toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().startsWith("medsam info: " + renamed), r.err());
        assertTrue(r.err().contains("mask_decoder.iou_token.weight"), r.err());
        assertTrue(r.err().contains("mask_decoder.iou_tokex.weight"), r.err());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aCorruptedCopyFailsWithOneLineAndExitCode1() throws IOException {
        Path original = Fixtures.samParity("weights/tiny_sam.pth");
        Path broken = dir.resolve("broken.pth");
        byte[] bytes = Files.readAllBytes(original);
        Files.write(broken, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Run r = medsam("info", "--checkpoint", broken.toString());
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        String[] lines = r.err().split("\\R");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("medsam info: "), lines[0]);
        assertTrue(lines[0].contains(broken.toString()), lines[0]);
        assertTrue(lines[0].contains("truncated"), lines[0]);

        Path flipped = dir.resolve("flipped.safetensors");
        byte[] st = Files.readAllBytes(Fixtures.samParity("weights/tiny_sam.safetensors"));
        st[20] ^= 0x40; // inside the JSON header
        Files.write(flipped, st);
        Run r2 = medsam("info", "-c", flipped.toString());
        assertEquals(1, r2.exit());
        assertTrue(r2.err().startsWith("medsam info: " + flipped), r2.err());
    }

    @Test
    void missingFileFailsAndMissingOptionIsAUsageError() {
        Run missing = medsam("info", "--checkpoint", dir.resolve("nope.pth").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("checkpoint not found"), missing.err());
        Run usage = medsam("info");
        assertEquals(2, usage.exit());
        assertTrue(usage.err().contains("--checkpoint"), usage.err());
    }
}
