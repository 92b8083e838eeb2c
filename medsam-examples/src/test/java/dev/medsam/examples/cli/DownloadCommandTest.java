package dev.medsam.examples.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medsam download} against a local HTTP server on 127.0.0.1 that honours Range requests. */
class DownloadCommandTest {

    @TempDir
    Path cache;

    private HttpServer server;
    private byte[] payload;
    private final List<String> ranges = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        payload = new byte[3_000_000];
        new Random(7).nextBytes(payload);
        // a zip archive's local-header signature, as every .pth since PyTorch 1.6 starts
        System.arraycopy(new byte[] {'P', 'K', 3, 4}, 0, payload, 0, 4);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/tiny_sam.pth", exchange -> {
            String range = exchange.getRequestHeaders().getFirst("Range");
            ranges.add(String.valueOf(range));
            int from = 0;
            if (range != null && range.startsWith("bytes=")) {
                from = Integer.parseInt(range.substring(6, range.indexOf('-')));
                exchange.getResponseHeaders().add("Content-Range",
                        "bytes " + from + "-" + (payload.length - 1) + "/" + payload.length);
                exchange.sendResponseHeaders(206, payload.length - from);
            } else {
                exchange.sendResponseHeaders(200, payload.length);
            }
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(payload, from, payload.length - from);
            }
        });
        server.createContext("/missing.pth", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.createContext("/silent.pth", exchange -> {
            // headers, then nothing: the read timeout must end the wait
            exchange.sendResponseHeaders(200, payload.length);
            sleepQuietly(30_000);
            exchange.close();
        });
        server.createContext("/gone.pth", exchange -> {
            // a server that answers every Range with 416 and a length of its own
            if (exchange.getRequestHeaders().getFirst("Range") != null) {
                exchange.getResponseHeaders().add("Content-Range", "bytes */" + payload.length);
                exchange.sendResponseHeaders(416, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, payload.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(payload);
            }
        });
        server.createContext("/shifted.pth", exchange -> {
            // answers a resume with the whole file as a 206, from byte 0
            ranges.add(String.valueOf(exchange.getRequestHeaders().getFirst("Range")));
            if (exchange.getRequestHeaders().getFirst("Range") != null) {
                exchange.getResponseHeaders().add("Content-Range",
                        "bytes 0-" + (payload.length - 1) + "/" + payload.length);
                exchange.sendResponseHeaders(206, payload.length);
            } else {
                exchange.sendResponseHeaders(200, payload.length);
            }
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(payload);
            }
        });
        server.createContext("/endless.pth", exchange -> {
            // a chunked body that never ends; it starts like a checkpoint, so only the size cap stops it
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(payload, 0, 4);
                byte[] junk = new byte[1 << 16];
                while (true) {
                    out.write(junk);
                }
            } catch (IOException closedByClient) {
                // expected: the client stops reading
            }
        });
        server.createContext("/page.pth", exchange -> {
            byte[] html = ("<!DOCTYPE html><html><head><title>Sign in \u001b[2J- Drive</title></head>"
                    + "<body>Please sign in</body></html>").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, html.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(html);
            }
        });
        server.createContext("/cut.pth", exchange -> {
            // announces the whole file, sends a third, then hangs up
            exchange.sendResponseHeaders(200, payload.length);
            OutputStream out = exchange.getResponseBody();
            out.write(payload, 0, 1_000_000);
            out.flush();
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        System.setProperty("medsam.home", cache.toString());
    }

    @AfterEach
    void stop() {
        server.stop(0);
        System.clearProperty("medsam.home");
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void downloadsIntoTheCacheAndChecksTheHash() throws Exception {
        String sha = sha256(payload);
        CliRun run = CliRun.of("download", "--url", url("/models/tiny_sam.pth"), "--sha256", sha.toUpperCase());
        assertEquals(0, run.exitCode(), run.toString());
        Path file = cache.resolve("tiny_sam.pth");
        assertEquals(file.toString(), run.out().trim());
        assertArrayEquals(payload, Files.readAllBytes(file));
        assertFalse(Files.exists(cache.resolve("tiny_sam.pth.part")));
    }

    @Test
    void resumesAPartialDownload() throws Exception {
        Files.write(cache.resolve("tiny_sam.pth.part"), Arrays.copyOf(payload, 1_234_567));
        CliRun run = CliRun.of("download", "--url", url("/models/tiny_sam.pth"), "--sha256", sha256(payload));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(List.of("bytes=1234567-"), ranges);
        assertArrayEquals(payload, Files.readAllBytes(cache.resolve("tiny_sam.pth")));
    }

    @Test
    void aWrongHashFailsAndLeavesNoFile() {
        CliRun run = CliRun.of("download", "--url", url("/models/tiny_sam.pth"), "--sha256", "0".repeat(64));
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("SHA-256") && run.err().contains("0".repeat(64)), run.err());
        assertFalse(Files.exists(cache.resolve("tiny_sam.pth")));
        assertFalse(Files.exists(cache.resolve("tiny_sam.pth.part")));
    }

    @Test
    void httpErrorsAndBadArgumentsAreReported() {
        CliRun missing = CliRun.of("download", "--url", url("/missing.pth"));
        assertEquals(1, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("HTTP 404"), missing.err());
        assertEquals(2, CliRun.of("download", "--url", url("/x.pth"), "--sha256", "abc").exitCode());
        assertEquals(2, CliRun.of("download", "--url", "ftp://example.org/x.pth").exitCode());
        assertEquals(2, CliRun.of("download").exitCode());
    }

    @Test
    void aServerThatGoesSilentTimesOut() {
        long start = System.nanoTime();
        CliRun run = CliRun.of("download", "--url", url("/silent.pth"), "--read-timeout", "1", "-q");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("sent nothing for 1 s") && run.err().contains("127.0.0.1")
                && run.err().contains("--read-timeout"), run.err());
        assertTrue(System.nanoTime() - start < 15e9, "took " + (System.nanoTime() - start) / 1e9 + " s");
        assertFalse(Files.exists(cache.resolve("silent.pth")));
    }

    @Test
    void theDefaultReadTimeoutIsAtMostAMinute() {
        assertTrue(DownloadCommand.DEFAULT_READ_TIMEOUT_SECONDS <= 60);
        DownloadCommand command = new DownloadCommand();
        new picocli.CommandLine(command).parseArgs("--url", "http://127.0.0.1/x.pth");
        assertEquals(DownloadCommand.DEFAULT_READ_TIMEOUT_SECONDS, command.readTimeout);
    }

    @Test
    void a416DoesNotMakeAStalePartComplete() throws Exception {
        // a random "partial" file of another length must not be installed as the checkpoint
        byte[] stale = new byte[2_000_000];
        new Random(3).nextBytes(stale);
        System.arraycopy(payload, 0, stale, 0, 4);
        Files.write(cache.resolve("gone.pth.part"), stale);
        CliRun run = CliRun.of("download", "--url", url("/gone.pth"), "-q");
        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(payload, Files.readAllBytes(cache.resolve("gone.pth")));
    }

    @Test
    void a416WithTheServersLengthButAnotherDigestStartsOver() throws Exception {
        byte[] wrong = payload.clone();
        wrong[payload.length - 1] ^= 1;
        Files.write(cache.resolve("gone.pth.part"), wrong);
        CliRun run = CliRun.of("download", "--url", url("/gone.pth"), "--sha256", sha256(payload), "-q");
        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(payload, Files.readAllBytes(cache.resolve("gone.pth")));
    }

    @Test
    void a416WithACompletePartInstallsIt() throws Exception {
        Files.write(cache.resolve("gone.pth.part"), payload);
        CliRun run = CliRun.of("download", "--url", url("/gone.pth"), "--sha256", sha256(payload), "-q");
        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(payload, Files.readAllBytes(cache.resolve("gone.pth")));
    }

    @Test
    void aRangeThatDoesNotStartAtTheOffsetIsNotAppended() throws Exception {
        Files.write(cache.resolve("shifted.pth.part"), Arrays.copyOf(payload, 1_000_000));
        CliRun run = CliRun.of("download", "--url", url("/shifted.pth"), "-q");
        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(payload, Files.readAllBytes(cache.resolve("shifted.pth")));
        assertEquals(List.of("bytes=1000000-", "null"), ranges);
    }

    @Test
    void anEndlessBodyStopsAtTheSizeCap() {
        long start = System.nanoTime();
        CliRun run = CliRun.of("download", "--url", url("/endless.pth"), "--max-size", "8M", "-q",
                "--sha256", "0".repeat(64));
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("more than 8388608 bytes") && run.err().contains("--max-size"), run.err());
        assertFalse(Files.exists(cache.resolve("endless.pth")));
        assertFalse(Files.exists(cache.resolve("endless.pth.part")));
        assertTrue(System.nanoTime() - start < 15e9);
    }

    @Test
    void anHtmlPageIsRefusedSayingWhatItIs() {
        CliRun run = CliRun.of("download", "--url", url("/page.pth"), "-q");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("an HTML page titled 'Sign in \\e[2J- Drive'")
                && run.err().contains("text/html") && run.err().contains("not a checkpoint"), run.err());
        assertFalse(run.err().contains("\u001b"), "escape sequence reached the terminal");
        assertFalse(Files.exists(cache.resolve("page.pth")));
        assertFalse(Files.exists(cache.resolve("page.pth.part")));
    }

    @Test
    void aCompleteFileWithTheRightDigestIsNotDownloadedAgain() throws Exception {
        Files.write(cache.resolve("tiny_sam.pth"), payload);
        CliRun run = CliRun.of("download", "--url", url("/models/tiny_sam.pth"), "--sha256", sha256(payload));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(List.of(), ranges, "no request");
        assertEquals(cache.resolve("tiny_sam.pth").toString(), run.out().trim());
        assertTrue(run.err().contains("already downloaded"), run.err());
    }

    @Test
    void theSavedMessageSaysWhereTheFileWent() {
        CliRun run = CliRun.of("download", "--url", url("/models/tiny_sam.pth"));
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("saved 3000000 bytes from 127.0.0.1 to " + cache.resolve("tiny_sam.pth")),
                run.err());
    }

    @Test
    void aReadOnlyCacheIsReportedWithTheReason() throws Exception {
        Path readOnly = cache.resolve("ro");
        Files.createDirectories(readOnly);
        org.junit.jupiter.api.Assumptions.assumeTrue(readOnly.toFile().setWritable(false, false));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(readOnly), "running as root");
        System.setProperty("medsam.home", readOnly.toString());
        try {
            CliRun run = CliRun.of("download", "--url", url("/models/tiny_sam.pth"));
            assertEquals(1, run.exitCode(), run.toString());
            assertTrue(run.err().contains("cannot write to the model cache " + readOnly)
                    && run.err().contains("permission denied") && run.err().contains("MEDSAM_HOME"), run.err());
        } finally {
            readOnly.toFile().setWritable(true, false);
        }
    }

    @Test
    void anUnreachableHostIsNamed() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliRun run = CliRun.of("download", "--url", "http://127.0.0.1:" + port + "/x.pth", "-q");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("cannot connect to 127.0.0.1"), run.err());
        assertEquals(2, CliRun.of("download", "--url", url("/x.pth"), "--max-size", "lots").exitCode());
        assertEquals(2, CliRun.of("download", "--url", url("/x.pth"), "--read-timeout", "0").exitCode());
    }

    @Test
    void anInterruptedDownloadSaysWhatHappenedAndKeepsThePartialFile() throws Exception {
        CliRun run = CliRun.of("download", "--url", url("/cut.pth"), "-q");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("127.0.0.1") && run.err().contains("run the same command again to resume"),
                run.err());
        assertTrue(Files.size(cache.resolve("cut.pth.part")) <= 1_000_000);
        assertFalse(Files.exists(cache.resolve("cut.pth")));
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }
}
