package dev.medsam.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsCommandTest {

    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = MedSamCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String fixture(String file) {
        return Fixtures.require("fixtures/metrics/" + file).toString();
    }

    private static JsonNode expected(String name) throws IOException {
        return new ObjectMapper().readTree(Fixtures.require("fixtures/metrics/expected.json").toFile()).get("cases").get(name);
    }

    @Test
    void printsOneLinePerLabel() throws IOException {
        for (String name : new String[] {"sphere_shift", "sphere_grow", "two_blobs"}) {
            for (double tol : new double[] {1, 2}) {
                Run r = run("metrics", "--pred", fixture(name + "_pred.nii.gz"), "--gt", fixture(name + "_gt.nii.gz"),
                        "--tolerance-mm", Double.toString(tol));
                assertEquals(0, r.exit, r.err);
                Matcher m = Pattern.compile("label 1: dsc (\\d\\.\\d{4}) nsd (\\d\\.\\d{4})").matcher(r.out.trim());
                assertTrue(m.matches(), r.out);
                JsonNode want = expected(name);
                assertEquals(want.get("dsc").asDouble(), Double.parseDouble(m.group(1)), 5e-5 + 1e-12, name);
                assertEquals(want.get(tol == 1 ? "nsd_1mm" : "nsd_2mm").asDouble(), Double.parseDouble(m.group(2)), 5e-5 + 1e-12,
                        name + " at " + tol + " mm");
            }
        }
    }

    @Test
    void defaultToleranceIsTwoMillimetres() throws IOException {
        Run r = run("metrics", "--pred", fixture("sphere_grow_pred.nii.gz"), "--gt", fixture("sphere_grow_gt.nii.gz"));
        assertEquals(0, r.exit, r.err);
        assertEquals(String.format(java.util.Locale.ROOT, "label 1: dsc %.4f nsd %.4f", expected("sphere_grow").get("dsc").asDouble(),
                expected("sphere_grow").get("nsd_2mm").asDouble()), r.out.trim());
    }

    @Test
    void jsonIsOneDocumentWithFullPrecision() throws IOException {
        Run r = run("metrics", "--pred", fixture("two_blobs_pred.nii.gz"), "--gt", fixture("two_blobs_gt.nii.gz"),
                "--tolerance-mm", "1", "--json");
        assertEquals(0, r.exit, r.err);
        JsonNode doc = new ObjectMapper().readTree(r.out);
        assertEquals(1.0, doc.get("tolerance_mm").asDouble());
        assertEquals(3, doc.get("spacing_mm").size());
        assertEquals(2.5, doc.get("spacing_mm").get(2).asDouble(), 1e-9);
        JsonNode label = doc.get("labels").get(0);
        assertEquals(1, label.get("label").asInt());
        assertEquals(3948, label.get("gt_voxels").asLong());
        assertEquals(1339, label.get("pred_voxels").asLong());
        assertEquals(expected("two_blobs").get("dsc").asDouble(), label.get("dsc").asDouble(), 1e-9);
        assertEquals(expected("two_blobs").get("nsd_1mm").asDouble(), label.get("nsd").asDouble(), 1e-6);
    }

    @Test
    void emptyMasksSaySo(@TempDir Path dir) throws IOException {
        // A 2D all-zero mask, written as a .npy by hand: version 1.0, uint8, shape (3, 4).
        Path empty = dir.resolve("empty.npy");
        String header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 4), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        StringBuilder h = new StringBuilder(header).append(" ".repeat(pad)).append('\n');
        byte[] bytes = new byte[10 + h.length() + 12];
        bytes[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, bytes, 1, 5);
        bytes[6] = 1;
        bytes[8] = (byte) h.length();
        System.arraycopy(h.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, bytes, 10, h.length());
        Files.write(empty, bytes);
        Run r = run("metrics", "--pred", empty.toString(), "--gt", empty.toString());
        assertEquals(0, r.exit, r.err);
        assertEquals("no labels: both masks are empty", r.out.trim());
        Run j = run("metrics", "--pred", empty.toString(), "--gt", empty.toString(), "--json");
        assertEquals(0, new ObjectMapper().readTree(j.out).get("labels").size());
    }

    @Test
    void failuresNameTheFile(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.nii.gz");
        Run r = run("metrics", "--pred", missing.toString(), "--gt", fixture("two_blobs_gt.nii.gz"));
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("missing.nii.gz"), r.err);
        Path junk = dir.resolve("junk.nii.gz");
        Files.writeString(junk, "not an image");
        r = run("metrics", "--pred", junk.toString(), "--gt", fixture("two_blobs_gt.nii.gz"));
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("junk.nii.gz"), r.err);
        assertTrue(r.out.isEmpty(), r.out);
    }

    @Test
    void usageErrorsExitWithTwo() {
        Run r = run("metrics", "--pred", fixture("two_blobs_pred.nii.gz"));
        assertEquals(2, r.exit);
        assertTrue(r.err.contains("--gt"), r.err);
        r = run("metrics", "--pred", fixture("two_blobs_pred.nii.gz"), "--gt", fixture("two_blobs_gt.nii.gz"),
                "--tolerance-mm", "-1");
        assertEquals(2, r.exit);
        assertTrue(r.err.contains("--tolerance-mm"), r.err);
    }
}
