package dev.medsam.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.testing.CountingModel;
import dev.medsam.core.testing.Fixtures;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A served folder for tests: the demo's CT slice ({@code ct.dcm}), the shared 3-slice CT series
 * ({@code series/}) and a PNG, segmented by the bundled tiny checkpoint through a model that counts encoder
 * runs. The backend found is core's test-jar {@link dev.medsam.core.testing.SharedNetworks} (registered in this module's
 * test resources), so the servers of a test JVM share one network; each server has its own counting wrapper and
 * session (with its embedding cache).
 */
final class TestServer implements AutoCloseable {

    /** One JSON mapper and one HTTP client for every server test (both thread-safe). */
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    final Path root;
    final Backend backend;
    final CountingModel model;
    final SegmentationSession session;
    final MedSamServer server;

    private TestServer(Path root, Backend backend, CountingModel model, SegmentationSession session,
                       MedSamServer server) {
        this.root = root;
        this.backend = backend;
        this.model = model;
        this.session = session;
        this.server = server;
    }

    static Path demoDir() {
        return Path.of(System.getProperty("medsam.demo.dir",
                "../medsam-examples/src/main/resources/dev/medsam/examples/demo"));
    }

    /** Copies the images into {@code root} (skipping the test when the shared fixtures are absent). */
    static void populate(Path root) throws IOException {
        Files.copy(demoDir().resolve("ct_slice.dcm"), root.resolve("ct.dcm"));
        Path series = Fixtures.require("data/dicom/series_ct_3slice");
        Files.createDirectories(root.resolve("series"));
        try (Stream<Path> s = Files.list(series)) {
            for (Path p : s.toList()) {
                Files.copy(p, root.resolve("series").resolve(p.getFileName()));
            }
        }
        Files.writeString(root.resolve("notes.txt"), "not an image");
    }

    static TestServer start(Path root) throws IOException {
        return start(root, b -> b);
    }

    static TestServer start(Path root, java.util.function.UnaryOperator<MedSamServer.Builder> settings)
            throws IOException {
        SamCheckpoint weights = SamCheckpoint.load(demoDir().resolve("tiny_sam.pth"));
        Backend backend = Backends.open(BackendOptions.builder().intraOpThreads(2).build());
        try {
            CountingModel model = new CountingModel(backend.load(weights.architecture(), weights.weights()));
            SegmentationSession session = SegmentationSession.of(model, Pipeline.MEDSAM, 32);
            MedSamServer server = settings.apply(MedSamServer.builder(root, session).port(0)
                    .describe("tiny", "tensorflow")).start();
            return new TestServer(root, backend, model, session, server);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** GET {@code path} (resolved against the server's address), the body as bytes. */
    HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** POST a JSON {@code body} to {@code path}, the answer's body as bytes. */
    HttpResponse<byte[]> post(String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * Asserts an error answer: the status, an error message that contains every fragment and no stack trace in the
     * body. Returns the message.
     */
    String assertError(HttpResponse<byte[]> r, int status, String... fragments) throws IOException {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(status, r.statusCode(), body);
        String message = JSON.readTree(r.body()).get("error").asText();
        for (String f : fragments) {
            assertTrue(message.contains(f), "'" + message + "' should mention '" + f + "'");
        }
        assertFalse(body.contains("\tat "), "no stack trace: " + body);
        assertFalse(body.contains(root.toRealPath().toString()), "the served folder's absolute path stays private: " + body);
        return message;
    }

    @Override
    public void close() {
        server.close();
        session.close();
        model.close();
        backend.close();
    }
}
