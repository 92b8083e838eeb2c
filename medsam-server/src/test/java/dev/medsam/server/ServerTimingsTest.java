package dev.medsam.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageEncoder;
import dev.medsam.core.spi.MaskDecoder;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEncoder;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.FakeSamModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server-Timing and the encode answer's timings come from the session's {@link dev.medsam.core.StageListener},
 * per request: with two requests encoding on the shared session at the same time, each reports its own encoder
 * time, not the other's. Needs no fixtures: a fake model whose encoder is slow on purpose, and two PNGs.
 */
class ServerTimingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The stage names of {@code medsam segment --timings}, in the order a segment request passes them. */
    private static final List<String> SEGMENT_STAGES = List.of("load", "preprocess", "encode", "decode",
            "postprocess", "write");

    @TempDir
    Path root;

    /**
     * Encoder call 1 holds until call 2 has returned, then takes {@link #FIRST_EXTRA_MS} more; call 2 takes
     * {@link #SECOND_MS}. Each call's own duration is recorded, as the truth the server's figures must match.
     */
    private static final class SlowEncoderModel implements SamModel {
        static final long FIRST_EXTRA_MS = 300;
        static final long SECOND_MS = 200;
        final FakeSamModel fake = new FakeSamModel();
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch secondDone = new CountDownLatch(1);
        final AtomicLongArray nanos = new AtomicLongArray(2);

        @Override
        public ModelArchitecture architecture() {
            return fake.architecture();
        }

        @Override
        public ImageEncoder imageEncoder() {
            ImageEncoder inner = fake.imageEncoder();
            return image -> {
                long start = System.nanoTime();
                int call = calls.incrementAndGet();
                try {
                    if (call == 1) {
                        if (!secondDone.await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the second encoder call never came");
                        }
                        Thread.sleep(FIRST_EXTRA_MS);
                    } else {
                        Thread.sleep(SECOND_MS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                ImageEmbedding out = inner.encode(image);
                if (call <= 2) {
                    nanos.set(call - 1, System.nanoTime() - start);
                }
                if (call == 2) {
                    secondDone.countDown();
                }
                return out;
            };
        }

        @Override
        public PromptEncoder promptEncoder() {
            return fake.promptEncoder();
        }

        @Override
        public MaskDecoder maskDecoder() {
            return fake.maskDecoder();
        }

        @Override
        public MaskPrediction predict(ImageEmbedding image, List<ModelPrompt> batch, boolean multimask) {
            return fake.predict(image, batch, multimask);
        }

        @Override
        public void close() {
            fake.close();
        }
    }

    private static void png(Path file, int width, int height, int seed) throws Exception {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.getRaster().setSample(x, y, 0, (x * 7 + y * 3 + seed * 31) % 256);
            }
        }
        assertTrue(ImageIO.write(img, "png", file.toFile()));
    }

    /** The stages of a Server-Timing value, in order, with their milliseconds. */
    private static Map<String, Double> serverTiming(HttpResponse<?> r) {
        String header = r.headers().firstValue("Server-Timing").orElseThrow(() -> new AssertionError(
                "no Server-Timing header"));
        Map<String, Double> out = new LinkedHashMap<>();
        for (String part : header.split(",")) {
            String[] nameDur = part.trim().split(";dur=");
            assertEquals(2, nameDur.length, "'" + part + "' in " + header);
            assertTrue(nameDur[0].matches("[a-z]+"), header);
            assertEquals(null, out.put(nameDur[0], Double.parseDouble(nameDur[1])), "each stage once: " + header);
        }
        return out;
    }

    @Test
    void concurrentRequestsEachReportTheirOwnStages() throws Exception {
        png(root.resolve("a.png"), 64, 48, 1);
        png(root.resolve("b.png"), 40, 56, 2);
        SlowEncoderModel model = new SlowEncoderModel();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try (SegmentationSession session = SegmentationSession.of(model, Pipeline.MEDSAM, 8);
             MedSamServer server = MedSamServer.builder(root, session).port(0).threads(4).start()) {
            String box = ", \"boxes\": [[4, 4, 30, 30]], \"format\": \"npy\"}";
            CompletableFuture<HttpResponse<byte[]>> first = http.sendAsync(post(server, "/api/v1/segment",
                    "{\"path\": \"a.png\"" + box), HttpResponse.BodyHandlers.ofByteArray());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (model.calls.get() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, model.calls.get(), "the first request reached the encoder");
            // the second request encodes while the first one's encoder is still running
            HttpResponse<byte[]> b = http.send(post(server, "/api/v1/segment", "{\"path\": \"b.png\"" + box),
                    HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<byte[]> a = first.get(60, TimeUnit.SECONDS);
            assertEquals(200, a.statusCode(), () -> new String(a.body()));
            assertEquals(200, b.statusCode(), () -> new String(b.body()));

            Map<String, Double> ta = serverTiming(a);
            Map<String, Double> tb = serverTiming(b);
            assertEquals(SEGMENT_STAGES, new ArrayList<>(ta.keySet()), "the CLI's stages, in order");
            assertEquals(SEGMENT_STAGES, new ArrayList<>(tb.keySet()));

            double trueA = model.nanos.get(0) / 1e6;
            double trueB = model.nanos.get(1) / 1e6;
            assertTrue(trueA >= SlowEncoderModel.FIRST_EXTRA_MS + SlowEncoderModel.SECOND_MS - 5, "A " + trueA);
            assertTrue(trueB >= SlowEncoderModel.SECOND_MS - 5, "B " + trueB);
            // each request's encode is its own encoder call (plus a cache lookup), never the sum of both
            String both = "A " + ta + " (encoder " + trueA + " ms), B " + tb + " (encoder " + trueB + " ms)";
            assertEquals(trueA, ta.get("encode"), SlowEncoderModel.SECOND_MS / 2.0, both);
            assertEquals(trueB, tb.get("encode"), SlowEncoderModel.SECOND_MS / 2.0, both);
            assertEquals(2, model.calls.get(), "one encoder run per image");
        }
    }

    @Test
    void theEncodeAnswerAndAnAnswerFromTheCacheUseTheSameStages() throws Exception {
        png(root.resolve("c.png"), 50, 50, 3);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.of(model, Pipeline.MEDSAM, 8);
             MedSamServer server = MedSamServer.builder(root, session).port(0).start()) {
            HttpResponse<byte[]> e = http.send(post(server, "/api/v1/encode", "{\"path\": \"c.png\"}"),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, e.statusCode(), () -> new String(e.body()));
            JsonNode timings = JSON.readTree(e.body()).get("timings");
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = timings.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                names.add(name);
                assertTrue(timings.get(name).isNumber() && timings.get(name).asDouble() >= 0, timings.toString());
            }
            assertEquals(List.of("load", "preprocess", "encode"), names);
            Map<String, Double> header = serverTiming(e);
            assertEquals(names, new ArrayList<>(header.keySet()), "the header and the JSON agree");
            for (String n : names) {
                assertEquals(timings.get(n).asDouble(), header.get(n), 0.051, n); // the header rounds to 0.1 ms
            }

            // the segment request finds the slice cached: still the same stage names, and no second encoder run
            HttpResponse<byte[]> s = http.send(post(server, "/api/v1/segment",
                    "{\"path\": \"c.png\", \"boxes\": [[5, 5, 20, 20]]}"), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, s.statusCode(), () -> new String(s.body()));
            assertEquals(SEGMENT_STAGES, new ArrayList<>(serverTiming(s).keySet()));
            assertEquals(1, model.encodes.get());
        }
    }

    @Test
    void theOpenApiDocumentNamesTheStages() throws Exception {
        JsonNode doc;
        try (var in = MedSamServer.class.getResourceAsStream("/dev/medsam/server/web/openapi.json")) {
            doc = JSON.readTree(in);
        }
        JsonNode paths = doc.get("paths");
        JsonNode encode = paths.get("/api/v1/encode").get("post").get("responses").get("200").get("content")
                .get("application/json").get("schema");
        assertEquals("number", encode.get("properties").get("timings").get("additionalProperties").get("type")
                .asText());
        String timings = encode.get("properties").get("timings").get("description").asText();
        String segment = paths.get("/api/v1/segment").get("post").get("responses").get("200").get("description")
                .asText();
        for (String stage : SEGMENT_STAGES) {
            assertTrue(segment.contains(stage), "the segment answer's Server-Timing names " + stage + ": " + segment);
            assertTrue(timings.contains(stage), timings);
        }
    }

    private static HttpRequest post(MedSamServer server, String path, String body) {
        return HttpRequest.newBuilder(server.uri().resolve(path)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
