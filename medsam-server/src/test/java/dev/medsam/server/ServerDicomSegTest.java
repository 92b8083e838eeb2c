package dev.medsam.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.testing.Dciodvfy;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.dicom.DicomSegmentation;
import dev.medsam.io.dicom.DicomSeries;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.medsam.server.TestServer.JSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DICOM SEG answers of the API ({@code "format": "dicom-seg"}): a slice of a single DICOM file, a slice of a series
 * and a propagated volume each come back as a SEG that dciodvfy finds no error in and that our reader turns into the
 * same labels as the NIfTI answer for the same request, with the segment names the request gave; sources that are
 * not DICOM are refused with the reason.
 */
class ServerDicomSegTest {

    @TempDir
    static Path root;
    @TempDir
    static Path work;

    static TestServer t;

    @BeforeAll
    static void start() throws IOException {
        TestServer.populate(root);
        // the same pixels in formats that a SEG cannot reference
        MedicalImage series = MedicalImages.read(root.resolve("series")).image();
        MedicalImages.write(series, root.resolve("volume.nii.gz"));
        MedicalImage ct = MedicalImages.read(root.resolve("ct.dcm")).image();
        MedicalImage eight = IntensityPreset.ctWindow("soft-tissue").apply(ct);
        MedicalImages.write(eight.rank() <= 2 ? eight : eight.plane(2, 0, 0), root.resolve("ct.png"));
        t = TestServer.start(root);
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return t.get(path);
    }

    static HttpResponse<byte[]> post(String path, String body) throws Exception {
        return t.post(path, body);
    }

    /** The answer saved under {@code name} in the work folder, after checking it is a 200. */
    static Path save(HttpResponse<byte[]> r, String name) throws IOException {
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        Path f = work.resolve(name);
        Files.write(f, r.body());
        return f;
    }

    static byte[] bytes(MedicalImage image) {
        byte[] v = new byte[(int) image.valueCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) image.get(i);
        }
        return v;
    }

    static long labelled(byte[] labels) {
        long n = 0;
        for (byte b : labels) {
            n += b != 0 ? 1 : 0;
        }
        return n;
    }

    static void assertError(HttpResponse<byte[]> r, int status, String... fragments) throws IOException {
        String message = t.assertError(r, status, fragments);
        assertFalse(message.contains(root.toString()), "the served folder's absolute path stays private: " + message);
    }

    @Test
    void aSliceOfASingleDicomFile() throws Exception {
        String body = "{\"path\": \"ct.dcm\", \"boxes\": [[150, 150, 300, 300], [320, 200, 420, 330]]";
        HttpResponse<byte[]> r = post("/api/v1/segment", body + ", \"format\": \"dicom-seg\", "
                + "\"labels\": [\"Liver\", \"lesion 1\"]}");
        Path seg = save(r, "ct-seg.dcm");
        assertEquals("application/dicom", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.headers().firstValue("Content-Disposition").orElse("").contains("mask.dcm"));
        byte[] nifti = bytes(MedicalImages.read(save(post("/api/v1/segment", body + ", \"format\": \"nifti\"}"),
                "ct.nii.gz")).image());
        assertTrue(labelled(nifti) > 0, "the tiny model finds pixels for these boxes");

        DicomSegmentation read = DicomSegmentation.open(seg);
        assertEquals(List.of(new DicomSegmentation.Segment(1, "Liver"), new DicomSegmentation.Segment(2, "lesion 1")),
                read.segments());
        MedicalImage labels = read.labelVolume(DicomSeries.of(List.of(root.resolve("ct.dcm"))));
        assertArrayEquals(nifti, bytes(labels), "the SEG holds the NIfTI answer's labels");
        Dciodvfy.assertCleanSegmentation(seg);
    }

    @Test
    void aSliceOfASeriesReferencesThatSlicesFile() throws Exception {
        String body = "{\"path\": \"series\", \"slice\": 1, \"boxes\": [[150, 150, 330, 330]]";
        Path seg = save(post("/api/v1/segment", body + ", \"format\": \"dicom-seg\"}"), "slice-seg.dcm");
        byte[] nifti = bytes(MedicalImages.read(save(post("/api/v1/segment", body + ", \"format\": \"nifti\"}"),
                "slice.nii.gz")).image());
        assertTrue(labelled(nifti) > 0, "the tiny model finds pixels for this box");

        DicomSeries source = DicomSeries.open(root.resolve("series"));
        DicomSegmentation read = DicomSegmentation.open(seg);
        assertEquals(List.of(new DicomSegmentation.Segment(1, "Segment 1")), read.segments(), "unnamed: Segment N");
        assertFalse(read.frames().isEmpty());
        for (DicomSegmentation.Frame f : read.frames()) {
            assertEquals(1, source.indexOf(f.referencedSopInstanceUid()), "frames lie on slice 1: " + f);
        }
        MedicalImage volume = read.labelVolume(source);
        assertArrayEquals(nifti, bytes(volume.plane(2, 1, 0)));
        assertEquals(0, labelled(bytes(volume.plane(2, 0, 0))) + labelled(bytes(volume.plane(2, 2, 0))));
        Dciodvfy.assertCleanSegmentation(seg);
    }

    @Test
    void aPropagatedVolume() throws Exception {
        HttpResponse<byte[]> r = post("/api/v1/propagate", "{\"path\": \"series\", \"slice\": 1, "
                + "\"boxes\": [[150, 150, 330, 330], [100, 100, 200, 200]], \"labels\": [\"Liver\"]}");
        assertEquals(202, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        String id = JSON.readTree(r.body()).get("id").asText();
        JsonNode status = awaitDone(id);
        assertEquals(3, status.get("total").asInt());
        String result = "/api/v1/jobs/" + id + "/result";

        byte[] nifti = bytes(MedicalImages.read(save(get(result), "labels.nii.gz")).image());
        assertTrue(labelled(nifti) > 0);
        DicomSeries source = DicomSeries.open(root.resolve("series"));
        HttpResponse<byte[]> segAnswer = get(result + "?format=dicom-seg");
        assertEquals("application/dicom", segAnswer.headers().firstValue("Content-Type").orElse(""));
        assertTrue(segAnswer.headers().firstValue("Content-Disposition").orElse("").contains("labels.dcm"));
        Path seg = save(segAnswer, "labels.dcm");
        DicomSegmentation read = DicomSegmentation.open(seg);
        assertEquals(new DicomSegmentation.Segment(1, "Liver"), read.segments().get(0), "named at propagate");
        assertArrayEquals(nifti, bytes(read.labelVolume(source)), "the SEG holds the NIfTI result's labels");
        Dciodvfy.assertCleanSegmentation(seg);

        // names in the query replace those given at propagate
        Path renamed = save(get(result + "?format=dicom-seg&label=Spleen&label=Kidney%20cyst"), "renamed.dcm");
        DicomSegmentation again = DicomSegmentation.open(renamed);
        assertEquals(List.of(new DicomSegmentation.Segment(1, "Spleen"), new DicomSegmentation.Segment(2, "Kidney cyst")),
                again.segments().subList(0, 2));
        assertArrayEquals(nifti, bytes(again.labelVolume(source)));
        Dciodvfy.assertCleanSegmentation(renamed);

        assertError(get(result + "?format=dicom-seg&label=a&label=b&label=c"), 400, "labels", "3 names", "2 object");
        assertError(get(result + "?label=Liver"), 400, "label", "format=dicom-seg");
        assertError(get(result + "?format=dicom-seg&label=a%5Cb"), 400, "label 1", "backslash");
    }

    @Test
    void sourcesThatAreNotDicomAreRefusedWithTheReason() throws Exception {
        assertError(post("/api/v1/segment", "{\"path\": \"ct.png\", \"boxes\": [[150, 150, 300, 300]], "
                + "\"format\": \"dicom-seg\"}"), 400, "format", "DICOM source", "'ct.png'", "PNG", "nifti");
        assertError(post("/api/v1/segment", "{\"path\": \"volume.nii.gz\", \"slice\": 1, "
                + "\"boxes\": [[150, 150, 300, 300]], \"format\": \"dicom-seg\"}"), 400, "DICOM source", "NIFTI");
        HttpResponse<byte[]> r = post("/api/v1/propagate", "{\"path\": \"volume.nii.gz\", \"slice\": 1, "
                + "\"boxes\": [[150, 150, 330, 330]]}");
        assertEquals(202, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        String id = JSON.readTree(r.body()).get("id").asText();
        awaitDone(id);
        assertEquals(200, get("/api/v1/jobs/" + id + "/result").statusCode(), "NIfTI is still there");
        assertError(get("/api/v1/jobs/" + id + "/result?format=dicom-seg"), 400, "DICOM source", "volume.nii.gz");
    }

    @Test
    void theOpenApiDocumentNamesTheFormatAndLabels() throws Exception {
        JsonNode doc = JSON.readTree(get("/api/v1/openapi.json").body());
        JsonNode slice = doc.at("/components/schemas/SliceRequest/properties");
        assertTrue(slice.at("/format/enum").toString().contains("\"dicom-seg\""), slice.toString());
        assertTrue(slice.has("labels"));
        assertTrue(doc.at("/paths/~1api~1v1~1propagate/post/requestBody/content/application~1json/schema/properties")
                .has("labels"));
        JsonNode result = doc.at("/paths/~1api~1v1~1jobs~1{id}~1result/get/parameters");
        assertTrue(result.toString().contains("\"dicom-seg\"") && result.toString().contains("\"label\""),
                result.toString());
    }

    @Test
    void badLabelsNameTheField() throws Exception {
        String box = "\"boxes\": [[150, 150, 300, 300]]";
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", " + box + ", \"labels\": [\"Liver\"]}"), 400,
                "labels", "dicom-seg");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", " + box + ", \"format\": \"dicom-seg\", "
                + "\"labels\": [\"Liver\", \"Spleen\"]}"), 400, "labels", "2 names for 1 object");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", " + box + ", \"format\": \"dicom-seg\", "
                + "\"labels\": [7]}"), 400, "labels[0]", "string");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", " + box + ", \"format\": \"dicom-seg\", "
                + "\"labels\": [\"  \"]}"), 400, "labels[0]", "blank");
        assertError(post("/api/v1/segment", "{\"path\": \"ct.dcm\", " + box + ", \"format\": \"dicom-seg\", "
                + "\"labels\": \"Liver\"}"), 400, "labels", "array");
        assertError(post("/api/v1/propagate", "{\"path\": \"series\", \"slice\": 1, " + box
                + ", \"labels\": [\"a\", \"b\"]}"), 400, "labels", "2 names for 1 object");
    }

    static JsonNode awaitDone(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            JsonNode status = JSON.readTree(get("/api/v1/jobs/" + id).body());
            String state = status.get("state").asText();
            if (state.equals("done")) {
                return status;
            }
            assertTrue(List.of("queued", "running").contains(state), status.toString());
            assertTrue(System.nanoTime() < deadline, "propagation should end");
            Thread.sleep(100);
        }
    }
}
