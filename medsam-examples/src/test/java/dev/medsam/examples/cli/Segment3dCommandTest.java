package dev.medsam.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.metrics.LabelBurden;
import dev.medsam.core.metrics.LabelVolume;
import dev.medsam.core.metrics.TumourBurden;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.SpacingOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medsam segment3d} run as a user would, with the tiny checkpoint on the TensorFlow backend. */
class Segment3dCommandTest {

    private static final String LIVER = "79,145,0,350,366,2";

    @TempDir
    Path dir;

    private static String tiny() {
        return Fixtures.samParity("weights/tiny_sam.pth").toString();
    }

    private static Path ctNpz() {
        return Fixtures.require("data/derived/ct_3slice_liver_medsam_style.npz");
    }

    @Test
    void segmentsTheCtNpzIntoNiftiWithTheSourceGeometryAndABurdenReport() throws IOException {
        Path out = dir.resolve("liver.nii.gz");
        Path report = dir.resolve("burden.json");
        CliRun r = CliRun.of("segment3d", "--checkpoint", tiny(), "--image", ctNpz().toString(), "--box3d", LIVER,
                "--window", "soft-tissue", "--out", out.toString(), "--report", report.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.toString());
        MedicalImage source = MedSamNpz.read(ctNpz()).image(SpacingOrder.ARRAY_ORDER);
        MedicalImage labels = MedicalImages.read(out).image();
        assertArrayEquals(new int[] {512, 512, 3}, labels.dims());
        assertEquals(DataType.UINT8, labels.dataType());
        assertTrue(source.affine(CoordinateSystem.RAS).approximatelyEquals(labels.affine(CoordinateSystem.RAS), 1e-6),
                labels.affine(CoordinateSystem.RAS).toString());
        assertArrayEquals(new double[] {0.810547, 0.810547, 1.0}, labels.spacing(), 1e-6);

        // the report is the burden of the labels (read back here through NIfTI's float32 geometry, hence the tolerances)
        TumourBurden burden = TumourBurden.of(LabelVolume.from(labels));
        JsonNode json = new ObjectMapper().readTree(Files.readString(report));
        assertEquals(0.810547, json.get("spacing_mm").get(0).asDouble(), 1e-6);
        assertEquals("1.0", json.get("spacing_mm").get(2).toString(), "no float round-off such as 0.9999999999999929");
        for (JsonNode v : json.get("spacing_mm")) {
            assertTrue(v.toString().replaceFirst("^-?0?\\.?0*", "").replace(".", "").length() <= 10, v.toString());
        }
        assertEquals("LPS", json.get("system").asText());
        JsonNode l1 = json.get("labels").get(0);
        assertEquals(1, json.get("labels").size());
        assertEquals(1, l1.get("label").asInt());
        long voxels = burden.label(1).map(LabelBurden::voxels).orElse(0L);
        assertEquals(voxels, l1.get("voxels").asLong());
        if (voxels > 0) {
            LabelBurden b = burden.label(1).orElseThrow();
            assertEquals(b.volumeMl(), l1.get("volume_ml").asDouble(), 1e-6 * b.volumeMl());
            assertEquals(b.components(), l1.get("components").asInt());
            assertEquals(6, l1.get("bbox_mm").size());
            for (int i = 0; i < 6; i++) {
                assertEquals(b.bboxMm()[i], l1.get("bbox_mm").get(i).asDouble(), 1e-4);
            }
            assertEquals(b.bboxVoxels()[4], l1.get("bbox_voxels").get(4).asInt());
        } else {
            assertTrue(l1.get("bbox_mm").isNull());
        }
        assertTrue(r.out().startsWith("label 1: " + voxels + " voxels, "), r.out());
        assertTrue(r.out().contains("wrote " + out + " and " + report + " (3 slices segmented"), r.out());
        assertEquals("", r.err());
        assertOnly(dir, "burden.json", "liver.nii.gz");
    }

    @Test
    void writesSlicerSegmentationsAndMetaImagesOnTheSourceGrid() throws IOException {
        Path series = Fixtures.require("data/dicom/series_ct_3slice");
        MedicalImage source = MedicalImages.read(series).image();
        for (String name : new String[] {"liver.seg.nrrd", "liver.mhd"}) {
            Path out = dir.resolve(name);
            CliRun r = CliRun.of("segment3d", "-c", tiny(), "-i", series.toString(), "--box3d", LIVER, "-o",
                    out.toString(), "-q");
            assertEquals(0, r.exitCode(), r.toString());
            MedicalImage labels = MedicalImages.read(out).image();
            assertArrayEquals(source.dims(), labels.dims(), name);
            assertTrue(source.affine(CoordinateSystem.LPS).approximatelyEquals(labels.affine(CoordinateSystem.LPS),
                    1e-9), name + ": " + labels.affine(CoordinateSystem.LPS));
        }
        dev.medsam.io.nrrd.NrrdImage seg = dev.medsam.io.nrrd.NrrdReader.read(dir.resolve("liver.seg.nrrd"));
        // One segment per label present (the tiny checkpoint's mask may be empty, then there is none).
        boolean present = java.util.Arrays.stream(seg.image().toDoubleArray()).anyMatch(v -> v == 1);
        assertEquals(present ? java.util.List.of("Segment_1") : java.util.List.of(),
                seg.segments().stream().map(dev.medsam.io.nrrd.NrrdSegment::name).toList());
        assertTrue(Files.readString(dir.resolve("liver.mhd")).contains("ElementDataFile = liver.raw\n"));
        assertOnly(dir, "liver.mhd", "liver.raw", "liver.seg.nrrd");
    }

    @Test
    void segmentsTheDicomSeriesWithKeyBoxesAndABoxIntoNpz() throws IOException {
        Path out = dir.resolve("seg.npz");
        CliRun r = CliRun.of("segment3d", "-c", tiny(), "-i", Fixtures.require("data/dicom/series_ct_3slice").toString(),
                "--box3d", "380,180,0,450,260,2", "--key-box", "0:80,146,350,366", "--key-box", "2:81,147,348,364",
                "--margin", "4", "-o", out.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        NpyArray segs = Npz.read(out, "segs");
        assertArrayEquals(new int[] {3, 512, 512}, segs.shape());
        assertEquals(DataType.UINT8, segs.dtype().toDataType());
        for (double v : segs.toDoubleArray()) {
            assertTrue(v == 0 || v == 1 || v == 2, "label " + v);
        }
        assertTrue(r.out().contains("label 1: ") && r.out().contains("label 2: "), r.out());
        // the 3D box goes 1, 2 then 0; the key boxes start on slice 0 (the larger box) and go 0, 1, 2; both share
        // the upward visits of 1 and 2: upwards 0, 1, 2, downwards 0 -> 4 visits
        assertTrue(r.out().contains("(4 slices segmented"), r.out());
    }

    @Test
    void usesTheBoxesOfAChallengeNpzWhenNoneAreGiven() throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>(Npz.read(ctNpz()));
        arrays.put("boxes", NpyArray.ofDoubles(new double[] {79, 145, 0, 350, 366, 2, 380, 180, 1, 450, 260, 1}, 2, 6));
        Path image = dir.resolve("3DBox_CT_liver.npz");
        Npz.write(image, arrays, true);
        Path out = dir.resolve("out.npz");
        CliRun r = CliRun.of("segment3d", "-c", tiny(), "-i", image.toString(), "--modality", "ct", "-o", out.toString(),
                "--report", dir.resolve("r.json").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("label 2: "), r.out());
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("r.json")));
        assertEquals(2, json.get("labels").size());
        assertEquals(2, json.get("labels").get(1).get("label").asInt());
        assertArrayEquals(new int[] {3, 512, 512}, Npz.read(out, "segs").shape());
    }

    @Test
    void usageErrorsExitWith2AndWriteNothing() {
        String image = ctNpz().toString();
        String out = dir.resolve("x.nii.gz").toString();
        String[][] bad = {
            {"segment3d", "-c", tiny(), "-i", image, "-o", out},
            {"segment3d", "-c", tiny(), "-i", image, "-o", out, "--box3d", "1,2,3"},
            {"segment3d", "-c", tiny(), "-i", image, "-o", out, "--box3d", "1,2,0,x,5,2"},
            {"segment3d", "-c", tiny(), "-i", image, "-o", out, "--box3d", "1,2,2,9,9,0"},
            {"segment3d", "-c", tiny(), "-i", image, "-o", out, "--key-box", "40;1,1,9,9"},
            {"segment3d", "-c", tiny(), "-i", image, "-o", out, "--key-box", "1:1,1,9,9", "--key-box", "1:2,2,8,8"},
            {"segment3d", "-c", tiny(), "-i", image, "-o", dir.resolve("x.png").toString(), "--box3d", LIVER},
            {"segment3d", "-c", tiny(), "-i", image, "-o", dir.resolve("nope/x.nii.gz").toString(), "--box3d", LIVER},
            {"segment3d", "-c", tiny(), "-i", image, "-o", out, "--box3d", LIVER, "--window", "mr-ish"},
            {"segment3d", "-c", tiny(), "-i", image, "-o", out, "--box3d", LIVER, "--window", "lung", "--modality", "mr"},
            {"segment3d", "-c", tiny(), "-i", image, "-o", out, "--box3d", LIVER, "--modality", "pet"},
            {"segment3d", "-c", tiny(), "-i", image, "-o", out, "--box3d", LIVER, "--axis", "3"},
            {"segment3d", "-c", tiny(), "-i", image, "-o", out, "--box3d", LIVER, "--margin", "-1"},
            {"segment3d", "-c", tiny(), "-i", image, "--box3d", LIVER},
        };
        String[] expected = {"--box3d or --key-box", "6 comma-separated", "'x' is not a number", "slice range 2..0 is invalid", "[G@]Z:",
                "already has a box on slice 1", ".nii.gz, .nii, .npz", "does not exist", "unknown CT window",
                "--modality mr", "ct or mr", "0, 1 or 2", "margin", "--out"};
        for (int i = 0; i < bad.length; i++) {
            CliRun r = CliRun.of(bad[i]);
            assertEquals(2, r.exitCode(), String.join(" ", bad[i]) + "\n" + r);
            assertTrue(r.err().contains(expected[i]), expected[i] + " in\n" + r.err());
        }
        assertFalse(Files.exists(dir.resolve("x.nii.gz")));
    }

    @Test
    void withoutACheckpointTheModelCacheIsAskedAndItsAbsenceIsAUsageError() {
        String old = System.getProperty("medsam.home");
        System.setProperty("medsam.home", dir.resolve("empty-cache").toString());
        try {
            CliRun r = CliRun.of("segment3d", "-i", ctNpz().toString(), "-o", dir.resolve("x.nii.gz").toString(),
                    "--box3d", LIVER);
            if (System.getenv("MEDSAM_CHECKPOINT") == null) {
                assertEquals(2, r.exitCode(), r.toString());
                assertTrue(r.err().contains("no checkpoint") && r.err().contains("medsam download"), r.err());
            }
        } finally {
            if (old == null) {
                System.clearProperty("medsam.home");
            } else {
                System.setProperty("medsam.home", old);
            }
        }
    }

    @Test
    void badContentFailsWithExitCode1AndOneLine() throws IOException {
        Path out = dir.resolve("x.nii.gz");
        CliRun deep = CliRun.of("segment3d", "-c", tiny(), "-i", ctNpz().toString(), "-o", out.toString(),
                "--box3d", "79,145,0,350,366,3", "-q");
        assertEquals(1, deep.exitCode(), deep.toString());
        assertTrue(deep.err().startsWith("medsam segment3d: object 1: slices 0..3 reach beyond the 3 slices"), deep.err());
        assertEquals(1, deep.err().split("\\R").length, deep.err());
        CliRun missing = CliRun.of("segment3d", "-c", tiny(), "-i", dir.resolve("none.nii.gz").toString(),
                "-o", out.toString(), "--box3d", LIVER);
        assertEquals(1, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("none.nii.gz"), missing.err());
        assertOnly(dir);
    }

    private static void assertOnly(Path dir, String... names) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(java.util.List.of(names), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "files in " + dir);
        }
    }
}
