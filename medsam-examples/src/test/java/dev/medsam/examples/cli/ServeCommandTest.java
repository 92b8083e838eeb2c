package dev.medsam.examples.cli;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.MedicalImages;
import dev.medsam.server.MedSamServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code medsam serve} as a user runs it, and the API's promise: the same pixels as {@code medsam segment} for the
 * same file, slice, prompts and window.
 */
class ServeCommandTest {

    @TempDir
    Path root;
    @TempDir
    Path work;

    private static final Path TINY = Path.of("src/main/resources/dev/medsam/examples/demo/tiny_sam.pth");

    @Test
    void serveAnswersWithTheSamePixelsAsSegment() throws Exception {
        Files.copy(Path.of("src/main/resources/dev/medsam/examples/demo/ct_slice.dcm"), root.resolve("ct.dcm"));
        Path series = Fixtures.require("data/dicom/series_ct_3slice");
        Files.createDirectories(root.resolve("series"));
        try (Stream<Path> s = Files.list(series)) {
            for (Path p : s.toList()) {
                Files.copy(p, root.resolve("series").resolve(p.getFileName()));
            }
        }
        CompletableFuture<MedSamServer> started = new CompletableFuture<>();
        ServeCommand.onStart = started::complete;
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of("serve", "--root",
                root.toString(), "-c", TINY.toString(), "--port", "0", "--threads", "2"));
        MedSamServer server;
        try {
            server = started.get(120, TimeUnit.SECONDS);
        } finally {
            ServeCommand.onStart = s -> { };
        }
        try {
            HttpClient http = HttpClient.newHttpClient();
            String[][] cases = {
                // request body, then the same prompts as `medsam segment` arguments
                {"{\"path\": \"ct.dcm\", \"boxes\": [[150, 150, 300, 300], [320, 200, 420, 330]], \"format\": \"png\"}",
                    "-i", root.resolve("ct.dcm").toString(), "--box", "150,150,300,300", "--box", "320,200,420,330"},
                {"{\"path\": \"ct.dcm\", \"boxes\": [[100, 120, 380, 400]], \"points\": [[240, 260, 1], [110, 130, 0]],"
                    + " \"window\": \"lung\", \"format\": \"npy\"}",
                    "-i", root.resolve("ct.dcm").toString(), "--box", "100,120,380,400", "--point", "240,260,1",
                    "--point", "110,130,0", "--window", "lung"},
                {"{\"path\": \"series\", \"slice\": 1, \"boxes\": [[-20, 140, 330, 340]], \"format\": \"nifti\"}",
                    "-i", root.resolve("series").toString(), "--slice", "1", "--box", "-20,140,330,340"},
            };
            for (int c = 0; c < cases.length; c++) {
                String[] k = cases[c];
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(server.uri().resolve("/api/v1/segment"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(k[0]))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, r.statusCode(), () -> new String(r.body()));
                String ext = k[0].contains("npy") ? ".npy" : k[0].contains("nifti") ? ".nii.gz" : ".png";
                Path api = work.resolve("api" + c + ext);
                Files.write(api, r.body());
                Path cli = work.resolve("cli" + c + ext); // the same format: PNG holds visible levels, the others 1..N
                String[] args = new String[k.length + 4];
                args[0] = "segment";
                args[1] = "-c";
                args[2] = TINY.toString();
                System.arraycopy(k, 1, args, 3, k.length - 1);
                args[args.length - 2] = "--out";
                args[args.length - 1] = cli.toString();
                CliRun segment = CliRun.of(args);
                assertEquals(0, segment.exitCode(), segment::toString);
                byte[] expected = values(MedicalImages.read(cli).image());
                byte[] got = values(MedicalImages.read(api).image());
                assertArrayEquals(expected, got, "case " + c + ": " + k[0]);
                int set = 0;
                for (byte b : got) {
                    set += b != 0 ? 1 : 0;
                }
                assertTrue(set > 0, "case " + c + " segments something");
            }
        } finally {
            server.close();
        }
        CliRun result = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains("serving ") && result.out().contains("http://127.0.0.1:"), result.out());
    }

    @Test
    void usageErrorsAndTheNetworkWarning() {
        CliRun noRoot = CliRun.of("serve", "-c", TINY.toString());
        assertEquals(2, noRoot.exitCode(), noRoot::toString);
        assertTrue(noRoot.err().contains("--root"), noRoot.err());
        CliRun notFolder = CliRun.of("serve", "--root", work.resolve("missing").toString(), "-c", TINY.toString());
        assertEquals(2, notFolder.exitCode(), notFolder::toString);
        assertTrue(notFolder.err().contains("not a folder"), notFolder.err());
        CliRun badPort = CliRun.of("serve", "--root", work.toString(), "-c", TINY.toString(), "--port", "70000");
        assertEquals(2, badPort.exitCode(), badPort::toString);
        assertTrue(badPort.err().contains("--port"), badPort.err());
    }

    @Test
    void aHostOtherThanLoopbackIsWarnedAbout() throws Exception {
        CompletableFuture<MedSamServer> started = new CompletableFuture<>();
        ServeCommand.onStart = started::complete;
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of("serve", "--root",
                work.toString(), "-c", TINY.toString(), "--port", "0", "--host", "0.0.0.0"));
        try {
            MedSamServer server = started.get(120, TimeUnit.SECONDS);
            URI u = server.uri();
            assertEquals("127.0.0.1", u.getHost());
            server.close();
        } finally {
            ServeCommand.onStart = s -> { };
        }
        CliRun r = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains("warning: listening on 0.0.0.0, not loopback"), r.err());
    }

    private static byte[] values(MedicalImage img) {
        byte[] out = new byte[(int) img.valueCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) img.get(i);
        }
        return out;
    }
}
