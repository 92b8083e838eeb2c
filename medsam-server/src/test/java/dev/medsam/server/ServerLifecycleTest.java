package dev.medsam.server;

import dev.medsam.core.SegmentationSession;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.testing.FakeSamModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.medsam.server.TestServer.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MedSamServer#close()}: it returns at once when no request is in flight (the JDK 17 HTTP server's own stop
 * waits its whole delay regardless), and it still lets a request in flight finish with its answer. Needs no fixtures:
 * a fake model and a PNG.
 */
class ServerLifecycleTest {

    @TempDir
    Path root;

    private static void png(Path file) throws Exception {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.getRaster().setSample(x, y, 0, (x * 5 + y * 3) % 256);
            }
        }
        assertTrue(ImageIO.write(img, "png", file.toFile()));
    }

    private static HttpRequest segment(MedSamServer server) {
        return HttpRequest.newBuilder(server.uri().resolve("/api/v1/segment")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"a.png\", \"boxes\": [[4, 4, 30, 20]]}")).build();
    }

    @Test
    void closingAnIdleServerIsPromptAndStopsListening() throws Exception {
        png(root.resolve("a.png"));
        try (FakeSamModel model = new FakeSamModel();
             SegmentationSession session = SegmentationSession.of(model, Pipeline.MEDSAM, 8);
             MedSamServer server = MedSamServer.builder(root, session).port(0).start()) {
            // a finished request leaves a kept-alive connection behind, as a browser's would
            assertEquals(200, HTTP.send(segment(server), HttpResponse.BodyHandlers.ofByteArray()).statusCode());
            long start = System.nanoTime();
            server.close();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // idle, close has nothing to wait for: milliseconds; the grace period for requests in flight is 2 s
            assertTrue(ms < 1500, "close() took " + ms + " ms with no request in flight");
            server.close(); // idempotent (and called once more by try-with-resources)
            HttpRequest health = HttpRequest.newBuilder(server.uri().resolve("/api/v1/health"))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            assertThrows(ConnectException.class, () -> HTTP.send(health, HttpResponse.BodyHandlers.ofByteArray()),
                    "nothing listens after close()");
        }
    }

    @Test
    void closeLetsARequestInFlightFinish() throws Exception {
        png(root.resolve("a.png"));
        try (FakeSamModel model = new FakeSamModel();
             SegmentationSession session = SegmentationSession.of(model, Pipeline.MEDSAM, 8)) {
            CountDownLatch release = new CountDownLatch(1);
            model.holdEncoder = release;
            try (MedSamServer server = MedSamServer.builder(root, session).port(0).start()) {
                closeWaitsForTheRequest(server, model, release);
            } finally {
                release.countDown(); // never leave the request's thread waiting
            }
        }
    }

    private static void closeWaitsForTheRequest(MedSamServer server, FakeSamModel model, CountDownLatch release)
            throws Exception {
        CompletableFuture<HttpResponse<byte[]>> answer = HTTP.sendAsync(segment(server),
                HttpResponse.BodyHandlers.ofByteArray());
        assertTrue(model.encoderEntered.await(30, TimeUnit.SECONDS), "the request reached the encoder");
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        Thread.sleep(300);
        assertFalse(closing.isDone(), "close() waits for the request in flight");
        release.countDown();
        HttpResponse<byte[]> r = answer.get(30, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        closing.get(30, TimeUnit.SECONDS);
    }
}
