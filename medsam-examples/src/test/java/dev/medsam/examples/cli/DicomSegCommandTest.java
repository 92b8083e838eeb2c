package dev.medsam.examples.cli;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.examples.ParityFixtures;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.dicom.DicomSegmentation;
import dev.medsam.io.dicom.DicomSeries;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --out x.dcm} on {@code segment} and {@code segment3d}: the SEG holds the same labels as the NIfTI the same
 * run writes, reads back onto the source grid, and dciodvfy (dicom3tools) reports no error in it.
 */
class DicomSegCommandTest {

    @TempDir
    Path dir;

    private static String tiny() {
        return Fixtures.samParity("weights/tiny_sam.pth").toString();
    }

    private static byte[] bytes(MedicalImage image) {
        byte[] v = new byte[(int) image.voxelCount()];
        image.data().get(v);
        return v;
    }

    @Test
    void segment3dWritesASegOfTheSeries() throws Exception {
        Path series = Fixtures.require("data/dicom/series_ct_3slice");
        Path seg = dir.resolve("liver.dcm");
        Path nii = dir.resolve("liver.nii.gz");
        String[] common = {"segment3d", "--checkpoint", tiny(), "--image", series.toString(), "--box3d",
            "79,145,0,350,366,2", "--quiet"};
        CliRun a = CliRun.of(concat(common, "--out", seg.toString(), "--seg-label", "Liver"));
        assertEquals(0, a.exitCode(), a.toString());
        CliRun b = CliRun.of(concat(common, "--out", nii.toString()));
        assertEquals(0, b.exitCode(), b.toString());

        DicomSeries source = DicomSeries.open(series);
        DicomSegmentation read = DicomSegmentation.open(seg);
        assertEquals(List.of(new DicomSegmentation.Segment(1, "Liver")), read.segments());
        assertArrayEquals(bytes(MedicalImages.read(nii).image()), bytes(read.labelVolume(source)));
        assertDciodvfyClean(seg);
    }

    @Test
    void segmentWritesASegOfOneSliceOfTheSeries() throws Exception {
        Path series = Fixtures.require("data/dicom/series_ct_3slice");
        Path seg = dir.resolve("slice.dcm");
        Path nii = dir.resolve("slice.nii.gz");
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", series.toString(), "--slice", "1",
                "--box", "79,145,350,366", "--out", seg.toString());
        assertEquals(0, r.exitCode(), r.toString());
        CliRun n = CliRun.of("segment", "--checkpoint", tiny(), "--image", series.toString(), "--slice", "1",
                "--box", "79,145,350,366", "--out", nii.toString());
        assertEquals(0, n.exitCode(), n.toString());
        DicomSeries source = DicomSeries.open(series);
        DicomSegmentation read = DicomSegmentation.open(seg);
        for (DicomSegmentation.Frame f : read.frames()) {
            assertEquals(1, source.indexOf(f.referencedSopInstanceUid()), "frames lie on slice 1: " + f);
        }
        MedicalImage volume = read.labelVolume(source);
        assertArrayEquals(bytes(MedicalImages.read(nii).image()), bytes(volume.plane(2, 1, 0)));
        assertDciodvfyClean(seg);
    }

    @Test
    void segmentWritesASegOfASingleImage() throws Exception {
        Path ct = Fixtures.require("data/dicom/single/pydicom_CT_small.dcm");
        Path seg = dir.resolve("small.dcm");
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", ct.toString(), "--box", "10,10,50,50",
                "--box", "20,30,60,60", "--seg-label", "kidney", "--seg-label", "cyst", "--out", seg.toString());
        // the tiny checkpoint and this image are fixed, so the result is too: both boxes give pixels
        assertEquals(0, r.exitCode(), r.toString());
        DicomSegmentation read = DicomSegmentation.open(seg);
        assertEquals("kidney", read.segments().get(0).label());
        assertEquals("cyst", read.segments().get(1).label());
        assertDciodvfyClean(seg);
    }

    @Test
    void aSegNeedsADicomSource() throws IOException {
        Path png = dir.resolve("x.png");
        MedicalImages.write(ParityFixtures.tinyImage(), png);
        Path seg = dir.resolve("x.dcm");
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", png.toString(), "--box", "1,1,5,5",
                "--out", seg.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("DICOM SEG") && r.err().contains("x.png") && r.err().contains("PNG"), r.err());
        assertFalse(Files.exists(seg));
    }

    @Test
    void segLabelsNeedADcmOutputAndFitTheObjects() {
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", "x.dcm", "--box", "1,1,5,5",
                "--out", dir.resolve("x.nii.gz").toString(), "--seg-label", "Liver");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--seg-label"), r.err());
        r = CliRun.of("segment3d", "--checkpoint", tiny(), "--image",
                Fixtures.require("data/dicom/series_ct_3slice").toString(), "--box3d", "1,1,0,5,5,1",
                "--out", dir.resolve("x.dcm").toString(), "--seg-label", "a", "--seg-label", "b");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("2 --seg-label names for 1 object"), r.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** dciodvfy reports no "Error" line (warnings are allowed); skips when dicom3tools is not installed. */
    static void assertDciodvfyClean(Path file) throws IOException, InterruptedException {
        boolean installed = false;
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            installed |= !d.isEmpty() && Files.isExecutable(Path.of(d, "dciodvfy"));
        }
        Assumptions.assumeTrue(installed, "dciodvfy (Debian package dicom3tools) is not installed");
        Process p = new ProcessBuilder("dciodvfy", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "dciodvfy did not finish");
        assertTrue(out.contains("Segmentation"), "dciodvfy did not check a Segmentation IOD:\n" + out);
        List<String> errors = out.lines().filter(l -> l.startsWith("Error")).toList();
        assertTrue(errors.isEmpty(), "dciodvfy errors:\n" + String.join("\n", errors));
    }
}
