package dev.medsam.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.testing.Reference;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.medsam.io.testing.Reference.assertRelClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every non-DICOM file of the shared data's REFERENCE.json, read and inspected, compared with what nibabel,
 * NumPy, Pillow and tifffile read from it. A file added to REFERENCE.json is tested here automatically; a
 * format this module does not know fails the test (DICOM belongs to the DICOM reader's tests).
 */
class ReferenceFilesTest {

    /** Formats that other tests cover, or that are not images. */
    private static final List<String> NOT_OURS = List.of("DICOM", "JSON sidecar");

    @TestFactory
    Stream<DynamicTest> everyReferenceFile() {
        if (Fixtures.willSkip()) {
            return Fixtures.skippedFactory("every reference file", "data/REFERENCE.json");
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : Reference.root().get("files")) {
            String format = f.get("format").asText();
            if (NOT_OURS.contains(format)) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(f.get("path").asText(), () -> check(f)));
        }
        assertTrue(tests.size() >= 10, "expected the reference's NIfTI/NPY/NPZ/PNG/TIFF/JPEG files, found " + tests.size());
        return tests.stream();
    }

    private static void check(JsonNode f) throws Exception {
        String format = f.get("format").asText();
        Path file = Reference.path(f);
        ImageFormat detected = MedicalImages.detect(file);
        assertEquals(format, detected.displayName(), "sniffed format");
        switch (format) {
            case "NIfTI-1", "NIfTI-2" -> nifti(f, file);
            case "NPY" -> npy(f, file);
            case "NPZ" -> npz(f, file);
            case "PNG", "TIFF" -> raster(f, file, false);
            case "JPEG" -> raster(f, file, true);
            default -> fail("no reader for reference format " + format + " (" + file + ")");
        }
    }

    private static void nifti(JsonNode f, Path file) throws Exception {
        LoadedImage loaded = MedicalImages.read(file);
        MedicalImage img = loaded.image();
        JsonNode raw = f.get("raw_array");
        assertArrayEquals(Reference.ints(f.get("shape")), img.dims(), "dims = dim[1..dim[0]]");
        assertEquals(raw.get("dtype").asText(), img.dataType().numpyName(), "stored dtype");
        // The stored bytes are the image after vox_offset, little-endian: the reference's Fortran-order hash.
        ByteBuffer data = img.data();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        assertEquals(raw.get("sha256_f_order").asText(), Reference.sha256(bytes, 0, bytes.length), "x-fastest hash");

        double[] expected = Reference.matrix(f.get("affine"));
        double[] actual = img.affine(CoordinateSystem.RAS).toArray();
        for (int i = 0; i < 16; i++) {
            assertEquals(expected[i], actual[i], 1e-4, "RAS affine element " + i + ": " + Arrays.toString(actual));
        }
        assertEquals(f.get("affine_source").asText(), img.attributes().get("nifti.affine_source"));
        JsonNode scaling = f.get("effective_scaling");
        assertEquals(scaling.get("slope").asDouble(), img.rescale().slope(), 0, "slope");
        assertEquals(scaling.get("inter").asDouble(), img.rescale().intercept(), 0, "intercept");

        JsonNode cv = f.get("center_voxel");
        int[] idx = Reference.ints(cv.get("index"));
        long flat = 0;
        for (int a = idx.length - 1; a >= 0; a--) {
            flat = flat * img.dim(a) + idx[a];
        }
        assertEquals(cv.get("raw").asDouble(), img.get(flat), 0, "centre voxel stored value");
        assertRelClose("centre voxel scaled", cv.get("scaled").asDouble(), img.scaled(flat), 1e-12);

        JsonNode h = f.get("header_raw");
        Map<String, String> attrs = img.attributes();
        assertEquals(h.get("qform_code").asText(), attrs.get("nifti.qform_code"));
        assertEquals(h.get("sform_code").asText(), attrs.get("nifti.sform_code"));
        assertEquals(h.get("datatype").asText(), attrs.get("nifti.datatype"));
        assertEquals(h.get("endianness").asText(), attrs.get("nifti.byte_order"));
        assertEquals(f.get("data_offset").asLong(), (long) Double.parseDouble(attrs.get("nifti.vox_offset")));
        assertEquals(f.get("extensions").size(), attrs.containsKey("nifti.extensions")
                ? attrs.get("nifti.extensions").split(" ").length : 0, "header extensions");

        Inspection.Entry e = MedicalImages.inspect(file).entries().get(0);
        assertArrayEquals(Reference.ints(raw.get("shape")), e.dims(), "inspect dims");
        assertEquals(raw.get("sha256_c_order").asText(), e.sha256(), "C-order hash of the reported dims");
        stats(f.get("scaled").get("stats"), e);
        assertEquals(f.get("format").asText(), MedicalImages.inspect(file).format().displayName());
    }

    private static void npy(JsonNode f, Path file) throws Exception {
        Inspection ins = MedicalImages.inspect(file);
        Inspection.Entry e = ins.entries().get(0);
        array(f.get("raw_array"), e);
        header(f.get("npy_header"), e);
    }

    private static void npz(JsonNode f, Path file) throws Exception {
        Inspection ins = MedicalImages.inspect(file);
        Iterator<Map.Entry<String, JsonNode>> members = f.get("members").properties().iterator();
        int n = 0;
        while (members.hasNext()) {
            Map.Entry<String, JsonNode> m = members.next();
            JsonNode arr = m.getValue().get("array");
            Inspection.Entry e = ins.entries().stream().filter(x -> x.name().equals(arr.get("key").asText()))
                    .findFirst().orElseThrow(() -> new AssertionError("no member " + m.getKey()));
            array(arr, e);
            header(m.getValue().get("npy_header"), e);
            assertEquals(m.getValue().get("zip_compress_type").asText(), e.details().get("npz.compression"));
            if (arr.has("values")) {
                assertArrayEquals(Reference.doubles(arr.get("values")), e.values().orElseThrow(), 0);
            }
            n++;
        }
        assertEquals(n, ins.entries().size(), "one inspect entry per member");
    }

    private static void header(JsonNode h, Inspection.Entry e) {
        assertEquals(h.get("version").get(0).asInt() + "." + h.get("version").get(1).asInt(), e.details().get("npy.version"));
        assertEquals(h.get("descr").asText(), e.details().get("npy.descr"));
        assertEquals(h.get("fortran_order").asText(), e.details().get("npy.fortran_order"));
    }

    private static void array(JsonNode raw, Inspection.Entry e) {
        assertArrayEquals(Reference.ints(raw.get("shape")), e.dims(), "shape");
        assertEquals(raw.get("dtype").asText(), e.dtype(), "dtype");
        assertEquals(raw.get("sha256_c_order").asText(), e.sha256(), "C-order hash");
        stats(raw.get("stats"), e);
    }

    private static void stats(JsonNode s, Inspection.Entry e) {
        assertEquals(s.get("count").asLong(), e.count(), "count");
        assertRelClose("min", s.get("min").asDouble(), e.min(), 1e-12);
        assertRelClose("max", s.get("max").asDouble(), e.max(), 1e-12);
        assertRelClose("mean", s.get("mean").asDouble(), e.mean(), 1e-12);
    }

    private static void raster(JsonNode f, Path file, boolean lossy) throws Exception {
        JsonNode raw = f.get("raw_array");
        Inspection.Entry e = MedicalImages.inspect(file).entries().get(0);
        assertArrayEquals(Reference.ints(raw.get("shape")), e.dims(), "(rows, cols[, samples])");
        assertEquals(raw.get("dtype").asText(), e.dtype(), "dtype");
        if (!lossy) {
            assertEquals(raw.get("sha256_c_order").asText(), e.sha256(), "C-order hash");
            stats(raw.get("stats"), e);
            return;
        }
        // Lossy JPEG: decoders differ by a level or two; compare per-channel means.
        MedicalImage img = MedicalImages.read(file).image();
        double[] expected = Reference.doubles(raw.get("per_channel_mean"));
        int c = img.components();
        assertEquals(expected.length, c, "channels");
        double[] sum = new double[c];
        ByteBuffer d = img.data();
        long n = img.voxelCount();
        for (long i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                sum[k] += d.get() & 0xFF;
            }
        }
        for (int k = 0; k < c; k++) {
            assertEquals(expected[k], sum[k] / n, 0.5, "mean of channel " + k);
        }
    }
}
