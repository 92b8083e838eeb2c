package dev.medsam.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a command-line user reads when something fails: what and why, no Java class names. */
class FailureMessagesTest {

    @Test
    void fileErrorsSayWhatAndWhy() {
        assertEquals("file not found: scans/x.dcm", FailureMessages.describe(new NoSuchFileException("scans/x.dcm")));
        assertEquals("permission denied: /data/x.nii (--out: the folder /data is not writable)",
                FailureMessages.describe(new UncheckedIOException(new AccessDeniedException("/data/x.nii", null,
                        "--out: the folder /data is not writable"))));
        assertEquals("/tmp/a: is a directory",
                FailureMessages.describe(new FileNotFoundException("/tmp/a (Is a directory)")));
        assertEquals("unexpected end of file", FailureMessages.describe(new EOFException()));
    }

    @Test
    void networkErrorsSayWhatFailed() {
        assertEquals("network error: unknown host models.example.org (check the address, the network and any proxy)",
                FailureMessages.describe(new UnknownHostException("models.example.org")));
        assertEquals("network error: cannot connect (connection refused)",
                FailureMessages.describe(new ConnectException("Connection refused")));
    }

    @Test
    void javaClassNamesNeverReachTheUser() {
        String m = FailureMessages.describe(new IllegalStateException(
                "wrapped: java.nio.file.NoSuchFileException: a.pth and dev.medsam.io.files.MalformedImageException: b"));
        assertEquals("wrapped: a.pth and b", m);
        assertFalse(FailureMessages.describe(new NullPointerException()).contains("Exception"));
        assertTrue(FailureMessages.describe(new NullPointerException()).startsWith("internal error"));
        assertEquals("input/output error", FailureMessages.describe(new IOException()));
    }

    @Test
    void theCommandLinePrintsOneClearLineWithExitOne(@TempDir Path dir) throws IOException {
        Path checkpoint = Files.write(dir.resolve("model.pth"), new byte[16]);
        Path image = dir.resolve("scans/x.dcm");
        CliRun missing = CliRun.of("segment", "-c", checkpoint.toString(), "--image", image.toString(),
                "--box", "1,2,3,4", "--out", dir.resolve("o.png").toString());
        assertEquals(1, missing.exitCode(), missing.toString());
        assertEquals("medsam segment: file not found: " + image, missing.err().strip());
        CliRun inspect = CliRun.of("inspect", image.toString());
        assertEquals(1, inspect.exitCode(), inspect.toString());
        assertEquals("medsam inspect: " + image + ": no such file", inspect.err().strip());

        CliRun folder = CliRun.of("info", "--checkpoint", dir.toString());
        assertEquals(1, folder.exitCode(), folder.toString());
        assertEquals(1, folder.err().strip().lines().count(), folder.err());
        assertFalse(folder.err().contains("Exception"), folder.err());

        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        CliRun demoIntoFile = CliRun.of("demo", "--out-dir", file.toString());
        assertEquals(2, demoIntoFile.exitCode(), demoIntoFile.toString());
        assertTrue(demoIntoFile.err().contains("is a file, not a folder"), demoIntoFile.err());
    }

    @Test
    void aUsageErrorIsOneLinePlusWhereToReadMore() {
        CliRun r = CliRun.of("segment", "--image", "x.png");
        assertEquals(2, r.exitCode(), r.toString());
        String[] lines = r.err().strip().split("\\R");
        assertEquals(2, lines.length, r.err());
        assertTrue(lines[0].startsWith("medsam segment: "), lines[0]);
        assertEquals("try 'medsam segment --help' for more information", lines[1]);

        CliRun typo = CliRun.of("segmnt");
        assertEquals(2, typo.exitCode(), typo.toString());
        assertTrue(typo.err().contains("did you mean: segment"), typo.err());
        assertTrue(typo.err().strip().lines().count() <= 3, typo.err());
    }
}
