package dev.medsam.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.Point;
import dev.medsam.core.PointLabel;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.medsam.server.TestServer.HTTP;
import static dev.medsam.server.TestServer.JSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every endpoint, error and limit of the API, over real HTTP with java.net.http. */
class ServerApiTest {

    @TempDir
    static Path root;
    @TempDir
    static Path work;

    static TestServer t;
    /**
     * The Java API on the same network, apart from the server: the expected answers. One for the class, so that its
     * cache encodes the CT slice once for every comparison.
     */
    static SegmentationSession reference;

    @BeforeAll
    static void start() throws IOException {
        if (Fixtures.willSkip()) {
            return; // every test skips with the reason in requireFixtures(); a skip here would report "Tests run: 0"
        }
        TestServer.populate(root);
        t = TestServer.start(root);
        reference = SegmentationSession.of(t.model.delegate());
    }

    @BeforeEach
    void requireFixtures() {
        Fixtures.require("data/dicom/series_ct_3slice");
    }

    @AfterAll
    static void stop() {
        if (reference != null) {
            reference.close();
        }
        if (t != null) {
            t.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static URI uri(String path) {
        return t.server.uri().resolve(path);
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return t.get(path);
    }

    static HttpResponse<byte[]> post(String path, String body) throws Exception {
        return t.post(path, body);
    }

    static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    static String assertError(HttpResponse<byte[]> r, int status, String... fragments) throws IOException {
        return t.assertError(r, status, fragments);
    }

    /** The label map a PNG answer holds, via the library's reader. */
    /** Labels 1..n as a PNG label map holds them: label k as round(255 k / n), as medsam segment --out writes. */
    static byte[] pngLevels(byte[] labels, int n) {
        byte[] out = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = (byte) Math.round(255.0 * (labels[i] & 0xFF) / n);
        }
        return out;
    }

    static byte[] labels(HttpResponse<byte[]> r, String ext) throws IOException {
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        Path f = Files.createTempFile(work, "answer", ext);
        Files.write(f, r.body());
        MedicalImage img = MedicalImages.read(f).image();
        byte[] out = new byte[(int) img.valueCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) img.get(i);
        }
        return out;
    }

    /** What the Java API gives for boxes on the CT slice with its default window (label i + 1 for box i). */
    static byte[] expectedCt(List<Prompts> objects) throws IOException {
        MedicalImage ct = MedicalImages.read(root.resolve("ct.dcm")).image();
        MedicalImage plane = ct.rank() <= 2 ? ct : ct.plane(2, 0, 0);
        reference.setImage(plane, IntensityPreset.defaultFor(plane)); // the encoder runs for the first call only
        List<Segmentation> s = reference.segment(objects);
        byte[] out = new byte[plane.width() * plane.height()];
        for (int i = 0; i < s.size(); i++) {
            BinaryMask m = s.get(i).binary();
            ByteBuffer b = m.buffer();
            for (int p = 0; p < out.length; p++) {
                if (b.get(p) != 0) {
                    out[p] = (byte) (i + 1);
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ endpoints

    @Test
    void healthNamesModelAndBackend() throws Exception {
        JsonNode h = json(get("/api/v1/health"));
        assertEquals("ok", h.get("status").asText());
        assertEquals("tiny", h.get("model").asText());
        assertEquals("tensorflow", h.get("backend").asText());
    }

    @Test
    void openApiDocumentsEveryRoute() throws Exception {
        HttpResponse<byte[]> r = get("/api/v1/openapi.json");
        assertEquals(200, r.statusCode());
        JsonNode paths = json(r).get("paths");
        for (String p : List.of("/api/v1/health", "/api/v1/images", "/api/v1/info", "/api/v1/slice",
                "/api/v1/encode", "/api/v1/segment", "/api/v1/propagate", "/api/v1/jobs/{id}",
                "/api/v1/jobs/{id}/result", "/api/v1/openapi.json")) {
            assertTrue(paths.has(p), p);
        }
    }

    @Test
    void pageAndAssetsAreServedWithSafeHeaders() throws Exception {
        HttpResponse<byte[]> page = get("/?path=ct.dcm");
        assertEquals(200, page.statusCode());
        assertTrue(new String(page.body()).contains("/static/app.js"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals(200, get("/static/app.js").statusCode());
        assertEquals(200, get("/static/app.css").statusCode());
    }

    @Test
    void listsFilesAndSeriesWithDimsAndModality() throws Exception {
        JsonNode l = json(get("/api/v1/images"));
        Map<String, JsonNode> byPath = new java.util.HashMap<>();
        l.get("images").forEach(n -> byPath.put(n.get("path").asText(), n));
        assertEquals(java.util.Set.of("ct.dcm", "series"), byPath.keySet(), "notes.txt is no image; series files are one entry");
        JsonNode ct = byPath.get("ct.dcm");
        assertEquals("file", ct.get("kind").asText());
        assertEquals("CT", ct.get("modality").asText());
        assertEquals(1, ct.get("slices").asInt());
        JsonNode series = byPath.get("series");
        assertEquals("series", series.get("kind").asText());
        assertEquals(3, series.get("slices").asInt());
        assertEquals(3, series.get("dims").get(2).asInt());
        assertFalse(l.get("truncated").asBoolean());
    }

    @Test
    void infoAndSlicePng() throws Exception {
        JsonNode info = json(get("/api/v1/info?path=series"));
        assertEquals(3, info.get("slices").asInt());
        assertEquals("soft-tissue", info.get("defaultWindow").asText());
        HttpResponse<byte[]> png = get("/api/v1/slice?path=series&slice=2&window=lung");
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
        assertEquals("lung", png.headers().firstValue("X-MedSAM-Window").orElse(""));
        var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png.body()));
        assertEquals(info.get("width").asInt(), img.getWidth());
        assertEquals(info.get("height").asInt(), img.getHeight());
        assertError(get("/api/v1/slice?path=series&slice=3"), 400, "slice", "0..2");
        assertError(get("/api/v1/slice?path=series&slice=x"), 400, "slice");
        assertError(get("/api/v1/slice?path=series"), 400, "slice: required");
        assertError(get("/api/v1/info"), 400, "path");
    }

    @Test
    void segmentGivesTheJavaApiMaskInEveryFormat() throws Exception {
        String body = "{\"path\": \"ct.dcm\", \"boxes\": [[150, 150, 300, 300], [320, 200, 420, 330]]}";
        byte[] expected = expectedCt(List.of(Prompts.of(new Box(150, 150, 300, 300)),
                Prompts.of(new Box(320, 200, 420, 330))));
        HttpResponse<byte[]> png = post("/api/v1/segment", body);
        byte[] got = labels(png, ".png");
        assertArrayEquals(pngLevels(expected, 2), got, "PNG: label k of N as the grey level round(255 k / N)");
        assertTrue(png.headers().firstValue("Server-Timing").orElse("").contains("decode;dur="));
        assertEquals("soft-tissue", png.headers().firstValue("X-MedSAM-Window").orElse(""));
        int count1 = 0;
        for (byte b : got) {
            count1 += (b & 0xFF) == 128 ? 1 : 0;
        }
        assertTrue(count1 > 0, "object 1 has pixels");
        assertArrayEquals(expected, labels(post("/api/v1/segment", body.replace("}", ", \"format\": \"npy\"}")), ".npy"));
        assertArrayEquals(expected, labels(post("/api/v1/segment", body.replace("}", ", \"format\": \"nifti\"}")),
                ".nii.gz"));
    }

    @Test
    void pointsAndObjectsRefineLikeTheJavaApi() throws Exception {
        Box box = new Box(150, 150, 300, 300);
        List<Point> points = List.of(new Point(220, 220, PointLabel.POSITIVE), new Point(160, 160, PointLabel.NEGATIVE));
        byte[] expected = expectedCt(List.of(Prompts.of(box, points.get(0), points.get(1)),
                Prompts.of(new Point(350, 250, PointLabel.POSITIVE))));
        byte[] got = labels(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"objects\": ["
                + "{\"box\": [150, 150, 300, 300], \"points\": [[220, 220, 1], [160, 160, 0]]},"
                + "{\"points\": [[350, 250, 1]]}]}"), ".png");
        assertArrayEquals(pngLevels(expected, 2), got);
    }

    @Test
    void aSlicesEncoderRunsOnceForConcurrentRequests() throws Exception {
        int before = t.model.encodes.get();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int d = i * 5;
                answers.add(pool.submit(() -> post("/api/v1/segment", "{\"path\": \"series\", \"slice\": 1, "
                        + "\"window\": \"mediastinum\", \"boxes\": [[" + (100 + d) + ", 100, 300, 300]]}")));
            }
            for (Future<HttpResponse<byte[]>> f : answers) {
                assertEquals(200, f.get().statusCode());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(before + 1, t.model.encodes.get(), "one encoder run for one image, slice and window");
        // a second box on the slice: no encoder run
        assertEquals(200, post("/api/v1/segment", "{\"path\": \"series\", \"slice\": 1, \"window\": \"mediastinum\","
                + " \"boxes\": [[50, 60, 200, 220]]}").statusCode());
        assertEquals(before + 1, t.model.encodes.get());
    }

    @Test
    void severalClientsGetTheirOwnAnswers() throws Exception {
        // 4 "tabs" prompting the CT slice with different boxes, 2 more on two slices of the series
        List<String> bodies = List.of(
                "{\"path\": \"ct.dcm\", \"boxes\": [[100, 100, 250, 250]]}",
                "{\"path\": \"ct.dcm\", \"boxes\": [[200, 150, 380, 300]]}",
                "{\"path\": \"ct.dcm\", \"boxes\": [[300, 250, 450, 400]]}",
                "{\"path\": \"ct.dcm\", \"boxes\": [[120, 300, 260, 420]], \"points\": [[190, 360, 1]]}",
                "{\"path\": \"series\", \"slice\": 0, \"boxes\": [[100, 100, 300, 300]]}",
                "{\"path\": \"series\", \"slice\": 2, \"boxes\": [[150, 120, 320, 310]]}");
        List<byte[]> alone = new ArrayList<>();
        for (String b : bodies) {
            alone.add(labels(post("/api/v1/segment", b), ".png"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<byte[]>> answers = new ArrayList<>();
                for (String b : bodies) {
                    Callable<byte[]> c = () -> labels(post("/api/v1/segment", b), ".png");
                    answers.add(pool.submit(c));
                }
                for (int i = 0; i < bodies.size(); i++) {
                    assertArrayEquals(alone.get(i), answers.get(i).get(), bodies.get(i));
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void encodeReportsTimings() throws Exception {
        HttpResponse<byte[]> r = post("/api/v1/encode", "{\"path\": \"series\", \"slice\": 0, \"window\": \"40,400\"}");
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        JsonNode n = json(r);
        assertTrue(n.get("timings").has("encode"));
        assertEquals("40.0,400.0", n.get("window").asText());
    }

    @Test
    void propagationRunsAsAJobWithProgressAndAResult() throws Exception {
        HttpResponse<byte[]> r = post("/api/v1/propagate", "{\"path\": \"series\", \"slice\": 1, "
                + "\"boxes\": [[150, 150, 330, 330]]}");
        assertEquals(202, r.statusCode(), () -> new String(r.body()));
        JsonNode job = json(r);
        String id = job.get("id").asText();
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        assertEquals("/api/v1/jobs/" + id, r.headers().firstValue("Location").orElse(""));
        JsonNode status = job;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!status.get("state").asText().equals("done")) {
            assertTrue(List.of("queued", "running").contains(status.get("state").asText()), status.toString());
            assertTrue(System.nanoTime() < deadline, "propagation should end");
            Thread.sleep(100);
            status = json(get("/api/v1/jobs/" + id));
        }
        assertEquals(3, status.get("total").asInt());
        assertEquals(status.get("total").asInt(), status.get("done").asInt());
        assertTrue(status.get("objects").get(0).get("voxels").asLong() > 0);
        HttpResponse<byte[]> nifti = get("/api/v1/jobs/" + id + "/result");
        assertEquals(200, nifti.statusCode());
        Path f = work.resolve("labels.nii.gz");
        Files.write(f, nifti.body());
        MedicalImage labels = MedicalImages.read(f).image();
        MedicalImage series = MedicalImages.read(root.resolve("series")).image();
        assertArrayEquals(series.dims(), labels.dims());
        assertEquals(200, get("/api/v1/jobs/" + id + "/result?format=npy").statusCode());
        assertError(get("/api/v1/jobs/" + id + "/result?format=dcm"), 400, "format");
        // another job gets another id; a finished job can be deleted, then it is gone
        HttpResponse<byte[]> delete = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/jobs/" + id)).DELETE().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(204, delete.statusCode());
        assertError(get("/api/v1/jobs/" + id), 404, "no job");
    }

    @Test
    void propagationErrors() throws Exception {
        assertError(post("/api/v1/propagate", "{\"path\": \"ct.dcm\", \"slice\": 0, \"boxes\": [[1, 1, 20, 20]]}"),
                400, "2D image");
        assertError(post("/api/v1/propagate", "{\"path\": \"series\", \"boxes\": [[1, 1, 20, 20]]}"), 400, "slice");
        assertError(post("/api/v1/propagate", "{\"path\": \"series\", \"slice\": 5, \"boxes\": [[1, 1, 20, 20]]}"),
                400, "slice", "0..2");
        assertError(post("/api/v1/propagate", "{\"path\": \"series\", \"slice\": 0, \"boxes\": []}"), 400, "boxes");
        assertError(post("/api/v1/propagate", "{\"path\": \"series\", \"slice\": 0, \"boxes\": [[900, 900, 990, 990]]}"),
                400, "boxes[0]", "outside");
        assertError(get("/api/v1/jobs/0123456789abcdef0123456789abcdef"), 404, "no job");
    }

    // ------------------------------------------------------------------------------------------------ bad requests

    @Test
    void badJsonAndPromptsNameTheField() throws Exception {
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"boxes\": [[1, 2, 3]"), 400, "not valid JSON");
        assertError(post("/api/v1/segment", "[1, 2]"), 400, "JSON object");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"path\": \"x\", \"boxes\": [[1, 1, 9, 9]]}"),
                400, "path");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"box\": [1, 1, 9, 9]}"), 400, "unknown field 'box'");
        assertError(post("/api/v1/segment", "{\"boxes\": [[1, 1, 9, 9]]}"), 400, "path: required");
        assertError(post("/api/v1/segment", "{\"path\": 7, \"boxes\": [[1, 1, 9, 9]]}"), 400, "path: must be a string");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\"}"), 400, "at least one box");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"boxes\": [[1, 1, 9, 9], [1, 2, 3]]}"), 400,
                "boxes[1]", "4 numbers");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"boxes\": [[1, \"a\", 9, 9]]}"), 400,
                "boxes[0][1]", "number");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"boxes\": [[9, 1, 1, 9]]}"), 400,
                "boxes[0]", "inverted");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"boxes\": [[600, 600, 700, 700]]}"), 400,
                "boxes[0]", "outside the 512x512 image");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"points\": [[10, 10, 2]]}"), 400,
                "points[0][2]", "label");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"objects\": [{\"box\": [1, 1, 9, 9]}, {}]}"),
                400, "objects[1]");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"objects\": [], \"boxes\": [[1, 1, 9, 9]]}"),
                400, "objects");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"boxes\": [[1, 1, 9, 9]], \"window\": \"sky\"}"),
                400, "window 'sky'");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"boxes\": [[1, 1, 9, 9]], \"format\": \"gif\"}"),
                400, "format");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"slice\": 1, \"boxes\": [[1, 1, 9, 9]]}"),
                400, "slice", "2D image");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", \"slice\": -1, \"boxes\": [[1, 1, 9, 9]]}"),
                400, "slice");
        assertError(post("/api/v1/segment", "{\"path\": \"series\", \"boxes\": [[1, 1, 9, 9]]}"), 400,
                "slice: required", "0..2");
        assertError(post("/api/v1/segment", "{\"path\": \"series\", \"slice\": 3, \"boxes\": [[1, 1, 9, 9]]}"), 400,
                "slice: 3", "0..2");
        assertError(post("/api/v1/segment", "{\"path\": \"notes.txt\", \"boxes\": [[1, 1, 9, 9]]}"), 422,
                "notes.txt");
    }

    @Test
    void pathsStayInsideTheRoot() throws Exception {
        Path outside = Files.createTempFile(work, "secret", ".dcm");
        Files.copy(root.resolve("ct.dcm"), outside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path link = root.resolve("link.dcm");
        Files.createSymbolicLink(link, outside);
        try {
            assertError(post("/api/v1/segment", "{\"path\": \"../ct.dcm\", \"boxes\": [[1, 1, 9, 9]]}"), 400, "'..'");
            assertError(post("/api/v1/segment", "{\"path\": \"series/../../x\", \"boxes\": [[1, 1, 9, 9]]}"), 400,
                    "'..'");
            assertError(post("/api/v1/segment", "{\"path\": \"" + outside + "\", \"boxes\": [[1, 1, 9, 9]]}"), 400,
                    "absolute");
            assertError(post("/api/v1/segment", "{\"path\": \"link.dcm\", \"boxes\": [[1, 1, 9, 9]]}"), 403,
                    "symbolic link");
            assertError(get("/api/v1/info?path=missing.dcm"), 404, "missing.dcm");
            assertError(get("/api/v1/info?path=%2Fetc%2Fpasswd"), 400, "absolute");
            assertError(get("/api/v1/info?path=a%5C..%5Cb"), 400, "path");
            JsonNode list = json(get("/api/v1/images"));
            list.get("images").forEach(n -> assertNotEquals("link.dcm", n.get("path").asText(),
                    "links are not followed while listing"));
        } finally {
            Files.delete(link);
        }
    }

    @Test
    void hostOriginAndContentTypeAreChecked() throws Exception {
        // java.net.http sends our Host unless -Djdk.httpclient.allowRestrictedHeaders=host (set by the pom)
        HttpResponse<byte[]> rebound = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/health"))
                .header("Host", "attacker.example:" + t.server.port()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertError(rebound, 403, "attacker.example", "DNS rebinding");
        HttpResponse<byte[]> localhost = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/health"))
                .header("Host", "localhost:" + t.server.port()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, localhost.statusCode());
        String body = "{\"path\": \"ct.dcm\", \"boxes\": [[150, 150, 300, 300]]}";
        HttpResponse<byte[]> crossOrigin = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/segment"))
                .header("Content-Type", "application/json").header("Origin", "http://attacker.example")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertError(crossOrigin, 403, "cross-origin", "attacker.example");
        HttpResponse<byte[]> sameOrigin = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/segment"))
                .header("Content-Type", "application/json")
                .header("Origin", "http://127.0.0.1:" + t.server.port())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, sameOrigin.statusCode());
        HttpResponse<byte[]> crossSite = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/segment"))
                .header("Content-Type", "application/json").header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertError(crossSite, 403, "cross-site");
        HttpResponse<byte[]> form = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/segment"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertError(form, 415, "application/json");
    }

    @Test
    void methodsAndRoutes() throws Exception {
        assertError(get("/api/v1/segment"), 405, "POST");
        assertError(post("/api/v1/health", "{}"), 405, "GET");
        assertError(get("/api/v1/nothing"), 404, "no such route");
        assertError(get("/etc/passwd"), 404, "no such route");
    }

    @Test
    void limits() throws Exception {
        StringBuilder big = new StringBuilder("{\"path\": \"ct.dcm\", \"boxes\": [[1, 1, 9, 9]], \"window\": \"");
        big.append("x".repeat(1 << 20)).append("\"}");
        assertError(post("/api/v1/segment", big.toString()), 413, "body", "1048576 bytes");
        StringBuilder points = new StringBuilder("{\"path\": \"ct.dcm\", \"points\": [");
        for (int i = 0; i < 65; i++) {
            points.append(i == 0 ? "" : ",").append("[10, 10, 1]");
        }
        assertError(post("/api/v1/segment", points.append("]}").toString()), 413, "points", "64");
        StringBuilder boxes = new StringBuilder("{\"path\": \"ct.dcm\", \"boxes\": [");
        for (int i = 0; i < 256; i++) {
            boxes.append(i == 0 ? "" : ",").append("[1, 1, 9, 9]");
        }
        assertError(post("/api/v1/segment", boxes.append("]}").toString()), 413, "256 objects", "255");
    }

    @Test
    void imagesOverTheSizeLimitAreRefused() throws Exception {
        Path small = Files.createDirectory(work.resolve("small-limit"));
        Files.copy(root.resolve("ct.dcm"), small.resolve("ct.dcm"));
        try (TestServer limited = TestServer.start(small, b -> b.maxVoxels(100_000).maxBodyBytes(100)
                .allowHost("Scanner.Local"))) {
            HttpResponse<byte[]> named = HTTP.send(HttpRequest.newBuilder(limited.server.uri().resolve("/api/v1/health"))
                    .header("Host", "scanner.local:" + limited.server.port()).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, named.statusCode(), "an allowed host name is accepted");
            HttpResponse<byte[]> otherPort = HTTP.send(HttpRequest.newBuilder(limited.server.uri().resolve(
                    "/api/v1/health")).header("Host", "scanner.local:1").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertError(otherPort, 403, "scanner.local:1");
            URI u = limited.server.uri().resolve("/api/v1/segment");
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(u).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"ct.dcm\", \"boxes\": [[1, 1, 9, 9]]}"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertError(r, 413, "ct.dcm", "100000");
            HttpResponse<byte[]> body = HTTP.send(HttpRequest.newBuilder(u).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"ct.dcm\", \"boxes\": [[1, 1, 9, 9]], "
                            + "\"window\": \"soft-tissue\", \"format\": \"png\"" + " ".repeat(60) + "}")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertError(body, 413, "100 bytes");
        }
    }
}
