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

    private static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }
}
