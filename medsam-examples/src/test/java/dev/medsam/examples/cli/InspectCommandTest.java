package dev.medsam.examples.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medsam inspect} on the shared reference files, and its exit codes. */
class InspectCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = MedSamCommand.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Parses stdout, failing unless it is exactly one JSON document. */
    static JsonNode onlyDocument(String out) throws Exception {
        try (JsonParser p = JSON.createParser(out)) {
            JsonNode doc = JSON.readTree(p);
            assertNull(p.nextToken(), "stdout holds more than one JSON document");
            return doc;
        }
    }

    @TestFactory
    Stream<DynamicTest> jsonMatchesTheReference() throws Exception {
        JsonNode ref = JSON.readTree(Fixtures.require("data/REFERENCE.json").toFile());
        Path data = Fixtures.require("data");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : ref.get("files")) {
            String format = f.get("format").asText();
            if (format.equals("DICOM") || format.equals("JSON sidecar")) {
                continue; // DICOM: the DICOM reader's tests; the sidecar is not an image
            }
            tests.add(DynamicTest.dynamicTest(f.get("path").asText(), () -> {
                Path file = data.resolve(f.get("path").asText());
                Run r = run("inspect", "--json", file.toString());
                assertEquals(0, r.exit, r.err);
                JsonNode doc = onlyDocument(r.out);
                assertEquals(format, doc.get("format").asText());
                assertEquals(file.toString(), doc.get("file").asText());
                JsonNode entries = doc.get("entries");
                if (format.equals("NPZ")) {
                    Iterator<Map.Entry<String, JsonNode>> members = f.get("members").properties().iterator();
                    int i = 0;
                    while (members.hasNext()) {
                        JsonNode arr = members.next().getValue().get("array");
                        JsonNode e = entries.get(i++);
                        assertEquals(arr.get("key").asText(), e.get("name").asText());
                        same(arr, e, true);
                    }
                    assertEquals(i, entries.size());
                    return;
                }
                assertEquals(1, entries.size());
                JsonNode e = entries.get(0);
                boolean lossy = format.equals("JPEG");
                same(f.get("raw_array"), e, !lossy);
                if (format.startsWith("NIfTI")) {
                    assertEquals("RAS", e.get("affine").get("system").asText());
                    assertEquals(f.get("affine_source").asText(), e.get("affine").get("source").asText());
                    JsonNode m = e.get("affine").get("matrix");
                    for (int row = 0; row < 4; row++) {
                        for (int c = 0; c < 4; c++) {
                            assertEquals(f.get("affine").get(row).get(c).asDouble(), m.get(row).get(c).asDouble(), 1e-4);
                        }
                    }
                    JsonNode scaled = f.get("scaled").get("stats");
                    assertFullPrecision(scaled, e.get("stats"));
                    assertEquals(f.get("effective_scaling").get("slope").asDouble(),
                            e.get("rescale").get("slope").asDouble(), 0);
                    for (int i = 0; i < e.get("spacing").size(); i++) {
                        assertEquals(f.get("zooms").get(i).asDouble(), e.get("spacing").get(i).asDouble(), 0,
                                "spacing = nibabel's zooms");
                    }
                }
            }));
        }
        assertTrue(tests.size() >= 10, "expected the reference's non-DICOM files");
        return tests.stream();
    }

    private static void same(JsonNode raw, JsonNode e, boolean exact) {
        JsonNode shape = raw.get("shape");
        assertEquals(shape.size(), e.get("dims").size(), "rank");
        for (int i = 0; i < shape.size(); i++) {
            assertEquals(shape.get(i).asInt(), e.get("dims").get(i).asInt(), "dims");
        }
        assertEquals(raw.get("dtype").asText(), e.get("dtype").asText());
        if (exact) {
            assertEquals(raw.get("sha256_c_order").asText(), e.get("sha256").asText());
            if (e.get("rescale").get("slope").asDouble() == 1 && e.get("rescale").get("intercept").asDouble() == 0) {
                assertFullPrecision(raw.get("stats"), e.get("stats"));
            }
        }
    }

    /** min, max and mean printed with every digit (equal as doubles, up to summation order for the mean). */
    private static void assertFullPrecision(JsonNode expected, JsonNode actual) {
        assertEquals(expected.get("count").asLong(), actual.get("count").asLong());
        assertEquals(expected.get("min").asDouble(), actual.get("min").asDouble(), 0);
        assertEquals(expected.get("max").asDouble(), actual.get("max").asDouble(), 0);
        double m = expected.get("mean").asDouble();
        assertEquals(m, actual.get("mean").asDouble(), 1e-12 * Math.max(1, Math.abs(m)));
    }

    @Test
    void textOutputForPeople() {
        Path file = Fixtures.require("data/nifti/nib_example4d.nii.gz");
        Run r = run("inspect", file.toString());
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("NIfTI-1"), r.out);
        assertTrue(r.out.contains("128 x 96 x 24 x 2  (x, y, z, t)"), r.out);
        assertTrue(r.out.contains("RAS (from the sform)"), r.out);
        assertTrue(r.out.contains("f7cb77e5fafc46b8e9f1a3f8c3448986ecd0aa2de0448ffe1a2a3bdab680d9ba"), r.out);
    }

    @Test
    void badFilesExitOneWithOneLineNamingTheFile() throws Exception {
        Path garbage = tmp.resolve("garbage.nii");
        Files.write(garbage, new byte[] {0x5c, 0x01, 0, 0, 1, 2, 3});
        Path truncated = tmp.resolve("truncated.nii.gz");
        byte[] whole = Files.readAllBytes(Fixtures.require("data/nifti/balls1_T1.nii.gz"));
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        for (Path p : new Path[] {garbage, truncated, tmp.resolve("missing.nii"), tmp}) {
            for (String[] args : new String[][] {{"inspect", p.toString()}, {"inspect", "--json", p.toString()}}) {
                Run r = run(args);
                assertEquals(1, r.exit, p + ": " + r.err);
                assertEquals("", r.out, "nothing on stdout");
                String line = r.err.strip();
                assertEquals(1, line.lines().count(), r.err);
                assertTrue(line.startsWith("medsam inspect: ") && line.contains(p.toString()), line);
            }
        }
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run("inspect").exit);
        assertEquals(2, run("inspect", "--bogus", "x.nii").exit);
        assertEquals(2, run("inspect", "a.nii", "b.nii").exit);
    }
}
