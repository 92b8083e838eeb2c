package dev.medsam.io.dicom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.Inspection;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DICOM through the format-independent entry point: detection, reading and inspection of files and folders. */
class DicomDispatchTest {

    @TestFactory
    List<DynamicTest> everyDicomFileInspectsAsTheReferenceSays() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode ref : Reference.dicomFiles()) {
            String path = ref.get("path").asText();
            tests.add(DynamicTest.dynamicTest(path, () -> {
                Path p = Reference.data(path);
                assertEquals(ImageFormat.DICOM, MedicalImages.detect(p));
                LoadedImage loaded = MedicalImages.read(p);
                assertEquals(ImageFormat.DICOM, loaded.format());
                assertEquals(ref.get("raw_array").get("sha256_c_order").asText(), Reference.sha256(loaded.image()));
                Inspection in = MedicalImages.inspect(p);
                assertEquals(ImageFormat.DICOM, in.format());
                assertEquals(1, in.entries().size());
                Inspection.Entry e = in.entries().get(0);
                assertEquals(Reference.ints(ref.get("raw_array").get("shape")), toList(e.dims()));
                assertEquals(ref.get("raw_array").get("dtype").asText(), e.dtype());
                assertEquals(ref.get("raw_array").get("sha256_c_order").asText(), e.sha256());
                JsonNode scaled = ref.path("scaled").path("stats");
                if (!scaled.isMissingNode()) {
                    assertEquals(scaled.get("min").asDouble(), e.min(), 1e-9);
                    assertEquals(scaled.get("max").asDouble(), e.max(), 1e-9);
                    assertEquals(scaled.get("mean").asDouble(), e.mean(), 1e-9);
                }
            }));
        }
        assertFalse(tests.isEmpty());
        return tests;
    }

    @Test
    void aSeriesFolderReadsAndInspectsAsOneVolume() throws IOException {
        JsonNode ref = Reference.json().get("series").get(0);
        Path folder = Reference.data(ref.get("folder").asText());
        LoadedImage loaded = MedicalImages.read(folder);
        assertEquals(ref.get("raw_sha256_c_order").asText(), Reference.sha256(loaded.image()));
        Inspection in = MedicalImages.inspect(folder);
        assertEquals(1, in.entries().size());
        Inspection.Entry e = in.entries().get(0);
        assertEquals(Reference.ints(ref.get("volume_shape_slices_rows_cols")), toList(e.dims()));
        assertEquals(ref.get("raw_sha256_c_order").asText(), e.sha256());
        assertEquals(ref.get("scaled_stats").get("mean").asDouble(), e.mean(), 1e-9);
        assertEquals(ref.get("SeriesInstanceUID").asText(), e.details().get("dicom.seriesInstanceUid"));
    }

    @Test
    void aFolderWithSeveralSeriesInspectsAsOneEntryEach(@TempDir Path dir) throws IOException {
        for (String n : List.of("01.dcm", "02.dcm", "03.dcm")) {
            Files.copy(Reference.data("dicom/series_ct_3slice/" + n), dir.resolve(n));
        }
        Files.copy(Reference.data("dicom/series_ct_3slice_seg/liver_seg.dcm"), dir.resolve("seg.dcm"));
        Inspection in = MedicalImages.inspect(dir);
        assertEquals(2, in.entries().size());
        List<String> hashes = new ArrayList<>();
        in.entries().forEach(x -> hashes.add(x.sha256()));
        assertTrue(hashes.contains(Reference.json().get("series").get(0).get("raw_sha256_c_order").asText()));
        assertTrue(hashes.contains(Reference.file("dicom/series_ct_3slice_seg/liver_seg.dcm").get("raw_array")
                .get("sha256_c_order").asText()));
        // Reading picks the image series; the SEG is not one.
        assertArrayEquals(new int[] {512, 512, 3}, MedicalImages.read(dir).image().dims());
    }

    @Test
    void damagedDicomIsAMalformedImage(@TempDir Path dir) throws IOException {
        byte[] b = Files.readAllBytes(Reference.data("dicom/single/pydicom_CT_small.dcm"));
        Path cut = dir.resolve("cut.dcm");
        Files.write(cut, Arrays.copyOf(b, b.length / 2)); // inside the pixel data
        MalformedImageException e = assertThrows(MalformedImageException.class, () -> MedicalImages.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("(7FE0,0010)"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> MedicalImages.inspect(dir.resolve("missing.dcm")));
    }

    @Test
    void anEmptyFolderHoldsNoSeries(@TempDir Path dir) {
        assertThrows(MalformedImageException.class, () -> MedicalImages.inspect(dir));
        assertThrows(MalformedImageException.class, () -> MedicalImages.read(dir));
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> out = new ArrayList<>();
        for (int v : a) {
            out.add(v);
        }
        return out;
    }
}
