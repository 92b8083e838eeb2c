package dev.medsam.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medsam inspect} on the shared DICOM files and series folders, against REFERENCE.json. */
class DicomInspectCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    List<DynamicTest> everyDicomFileAndSeriesMatchesTheReference() throws Exception {
        JsonNode ref = JSON.readTree(Fixtures.require("data/REFERENCE.json").toFile());
        Path data = Fixtures.require("data");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : ref.get("files")) {
            if (!"DICOM".equals(f.get("format").asText())) {
                continue;
            }
            JsonNode raw = f.get("raw_array");
            tests.add(DynamicTest.dynamicTest(f.get("path").asText(), () -> check(data.resolve(f.get("path").asText()),
                    raw.get("shape"), raw.get("dtype").asText(), raw.get("sha256_c_order").asText())));
        }
        for (JsonNode s : ref.get("series")) {
            tests.add(DynamicTest.dynamicTest(s.get("folder").asText(), () -> check(data.resolve(s.get("folder").asText()),
                    s.get("volume_shape_slices_rows_cols"), s.get("raw_dtype").asText(), s.get("raw_sha256_c_order").asText())));
        }
        assertTrue(tests.size() >= 10, "expected the reference's DICOM files and series");
        return tests;
    }

    private static void check(Path path, JsonNode shape, String dtype, String sha) throws Exception {
        InspectCommandTest.Run r = InspectCommandTest.run("inspect", "--json", path.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = InspectCommandTest.onlyDocument(r.out());
        assertEquals("DICOM", doc.get("format").asText());
        assertEquals(1, doc.get("entries").size());
        JsonNode e = doc.get("entries").get(0);
        assertEquals(shape, e.get("dims"));
        assertEquals(dtype, e.get("dtype").asText());
        assertEquals(sha, e.get("sha256").asText());
        assertEquals("LPS", e.get("affine").get("system").asText());
    }

    @Test
    void aFolderOfTwoSeriesListsBoth(@TempDir Path dir) throws Exception {
        for (String n : List.of("01.dcm", "02.dcm", "03.dcm")) {
            Files.copy(Fixtures.require("data/dicom/series_ct_3slice/" + n), dir.resolve(n));
        }
        Files.copy(Fixtures.require("data/dicom/series_ct_3slice_seg/liver_seg.dcm"), dir.resolve("seg.dcm"));
        InspectCommandTest.Run text = InspectCommandTest.run("inspect", dir.toString());
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("series '1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1'"), text.out());
        assertTrue(text.out().contains("3 x 512 x 512  (frames, rows, cols)"), text.out());
        JsonNode doc = InspectCommandTest.onlyDocument(InspectCommandTest.run("inspect", "--json", dir.toString()).out());
        assertEquals(2, doc.get("entries").size());
    }

    @Test
    void aDamagedDicomFileIsOneLineAndExitCodeOne(@TempDir Path dir) throws Exception {
        byte[] b = Files.readAllBytes(Fixtures.require("data/dicom/single/pydicom_CT_small.dcm"));
        Path cut = dir.resolve("cut.dcm");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
        InspectCommandTest.Run r = InspectCommandTest.run("inspect", cut.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("medsam inspect: " + cut + ": "), r.err());
        assertTrue(r.err().contains("(7FE0,0010)"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
