package dev.medsam.io.dicom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Series assembly and SEG mapping against REFERENCE.json's "series" block and the MedSAM-style npz. */
class DicomSeriesTest {

    @TestFactory
    List<DynamicTest> everySeriesMatchesTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode ref : Reference.json().get("series")) {
            String folder = ref.get("folder").asText();
            tests.add(DynamicTest.dynamicTest(folder, () -> {
                DicomSeries series = DicomSeries.open(Reference.data(folder));
                assertEquals(ref.get("SeriesInstanceUID").asText(), series.seriesInstanceUid());
                assertEquals(ref.get("n_files").asInt(), series.size());
                List<String> names = new ArrayList<>();
                series.files().forEach(f -> names.add(folder + "/" + f.path().getFileName()));
                List<String> want = new ArrayList<>();
                ref.get("files_sorted_by_position").forEach(n -> want.add(n.asText()));
                assertEquals(want, names, "sorted by position, not Instance Number");
                double[] pos = series.slicePositions();
                for (int i = 0; i < pos.length; i++) {
                    assertEquals(ref.get("slice_positions_mm_along_normal").get(i).asDouble(), pos[i], 1e-6);
                }
                MedicalImage v = series.readVolume();
                assertEquals(Reference.ints(ref.get("volume_shape_slices_rows_cols")), Reference.pydicomShape(v));
                assertEquals(ref.get("raw_dtype").asText(), v.dataType().numpyName());
                assertEquals(ref.get("raw_sha256_c_order").asText(), Reference.sha256(v));
                double[][] m = Reference.matrix(ref.get("affine_lps"));
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 4; c++) {
                        assertEquals(m[r][c], v.affine(CoordinateSystem.LPS).get(r, c), 1e-6, "affine[" + r + "][" + c + "]");
                        assertEquals(m[r][c], series.affine().get(r, c), 1e-6);
                    }
                }
                double[][] ras = Reference.matrix(ref.get("affine_ras"));
                assertEquals(ras[0][3], v.affine(CoordinateSystem.RAS).get(0, 3), 1e-6);
                double[] sp = v.spacing();
                for (int i = 0; i < 3; i++) {
                    assertEquals(ref.get("voxel_spacing_col_row_slice_mm").get(i).asDouble(), sp[i], 1e-9);
                }
                JsonNode scaled = ref.get("scaled_stats");
                double[] s = v.toScaledArray();
                double sum = 0;
                for (double x : s) {
                    sum += x;
                }
                assertEquals(scaled.get("mean").asDouble(), sum / s.length, 1e-9);
                assertTrue(series.warnings().isEmpty(), series.warnings().toString());
            }));
        }
        assertFalse(tests.isEmpty());
        return tests;
    }

    @Test
    void scanningHeadersDoesNotReadPixels() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        DicomSeries.open(Reference.data("dicom/series_ct_3slice")); // warm up classes
        long before = threads.getCurrentThreadAllocatedBytes();
        DicomSeries series = DicomSeries.open(Reference.data("dicom/series_ct_3slice"));
        long scan = threads.getCurrentThreadAllocatedBytes() - before;
        before = threads.getCurrentThreadAllocatedBytes();
        series.readVolume();
        long read = threads.getCurrentThreadAllocatedBytes() - before;
        // Three files of 526 KB, each 2 KB of header and 512 KB of pixels. The scan's allocations (stream buffers,
        // element values) stay well under the 1.5 MB of pixels it would need if it read them.
        assertTrue(scan < 1024 * 1024, "header scan allocated " + scan + " bytes");
        assertTrue(read > 3 * 512 * 1024, "reading allocated only " + read + " bytes");
    }

    @Test
    void ctSeriesInHounsfieldUnitsEqualsTheNpzImages() throws IOException {
        MedicalImage v = DicomSeries.open(Reference.data("dicom/series_ct_3slice")).readVolume();
        ByteBuffer hu = ByteBuffer.allocate((int) v.valueCount() * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < v.valueCount(); i++) {
            hu.putShort((short) v.scaled(i));
        }
        hu.flip();
        JsonNode imgs = Reference.file("derived/ct_3slice_liver_medsam_style.npz").get("members").get("imgs.npy").get("array");
        assertEquals(imgs.get("sha256_c_order").asText(), Reference.sha256(hu));
        assertArrayEquals(npy("imgs.npy"), bytes(hu));
    }

    @Test
    void segMapsOntoTheRightSlices() throws IOException {
        DicomSeries ct = DicomSeries.open(Reference.data("dicom/series_ct_3slice"));
        DicomSegmentation seg = DicomSegmentation.open(Reference.data("dicom/series_ct_3slice_seg/liver_seg.dcm"));
        JsonNode ref = Reference.file("dicom/series_ct_3slice_seg/liver_seg.dcm").get("segmentation");
        assertEquals(ref.get("SegmentationType").asText(), seg.segmentationType());
        assertEquals(1, seg.segments().size());
        assertEquals(new DicomSegmentation.Segment(1, "Liver"), seg.segments().get(0));
        for (int f = 0; f < seg.frames().size(); f++) {
            assertEquals(ref.get("frame_to_referenced_instance").get(f).asText(),
                    seg.frames().get(f).referencedSopInstanceUid());
        }
        // The SEG references the CT in reverse order: frame 0 -> 03.dcm, which is the lowest slice.
        int[] slices = seg.sliceIndices(ct);
        for (int f = 0; f < slices.length; f++) {
            assertEquals(seg.frames().get(f).referencedSopInstanceUid(),
                    ct.files().get(slices[f]).sopInstanceUid().orElseThrow());
        }
        MedicalImage labels = seg.labelVolume(ct);
        assertArrayEquals(new int[] {512, 512, 3}, labels.dims());
        assertTrue(labels.affine(CoordinateSystem.LPS).approximatelyEquals(ct.affine(), 0));
        JsonNode gts = Reference.file("derived/ct_3slice_liver_medsam_style.npz").get("members").get("gts.npy").get("array");
        assertEquals(gts.get("sha256_c_order").asText(), Reference.sha256(labels));
        assertArrayEquals(npy("gts.npy"), bytes(labels.data()));
        // Foreground per slice, as the reference counts it per SEG frame.
        for (int f = 0; f < 3; f++) {
            long count = 0;
            for (int y = 0; y < 512; y++) {
                for (int x = 0; x < 512; x++) {
                    count += (long) labels.get(labels.index(x, y, slices[f], 0));
                }
            }
            assertEquals(ref.get("foreground_pixels_per_frame").get(f).asLong(), count);
        }
        assertEquals(Reference.sha256(labels), Reference.sha256(seg.mask(ct, 1)));
        assertThrows(IllegalArgumentException.class, () -> seg.mask(ct, 2));
    }

    @Test
    void segMatchesByPositionWhenTheReferencedInstanceIsNotInTheSeries(@TempDir Path dir) throws IOException {
        // Rewrite the CT SOP Instance UIDs (same length, so offsets stay valid): the SEG must fall back to positions.
        Path src = Reference.data("dicom/series_ct_3slice");
        for (String n : List.of("01.dcm", "02.dcm", "03.dcm")) {
            byte[] b = Files.readAllBytes(src.resolve(n));
            String s = new String(b, StandardCharsets.ISO_8859_1);
            String uid = DicomFile.open(src.resolve(n)).sopInstanceUid().orElseThrow();
            for (int at = s.indexOf(uid); at >= 0; at = s.indexOf(uid, at + 1)) {
                b[at + 2] = (byte) (b[at + 2] == '9' ? '8' : '9'); // meta group and data set copies alike
            }
            Files.write(dir.resolve(n), b);
        }
        DicomSeries ct = DicomSeries.open(dir);
        DicomSegmentation seg = DicomSegmentation.open(Reference.data("dicom/series_ct_3slice_seg/liver_seg.dcm"));
        assertEquals(-1, ct.indexOf(seg.frames().get(0).referencedSopInstanceUid()));
        JsonNode gts = Reference.file("derived/ct_3slice_liver_medsam_style.npz").get("members").get("gts.npy").get("array");
        assertEquals(gts.get("sha256_c_order").asText(), Reference.sha256(seg.labelVolume(ct)));
    }

    @Test
    void aFolderWithASegAndItsSeriesOpensTheImageSeries(@TempDir Path dir) throws IOException {
        for (String n : List.of("01.dcm", "02.dcm", "03.dcm")) {
            Files.copy(Reference.data("dicom/series_ct_3slice/" + n), dir.resolve(n));
        }
        Files.copy(Reference.data("dicom/series_ct_3slice_seg/liver_seg.dcm"), dir.resolve("seg.dcm"));
        Files.writeString(dir.resolve("notes.txt"), "not DICOM");
        assertEquals(2, DicomSeries.scan(dir).size());
        assertEquals(3, DicomSeries.open(dir).size());
        Files.copy(Reference.data("dicom/single/pydicom_CT_small.dcm"), dir.resolve("other.dcm"));
        IOException e = assertThrows(IOException.class, () -> DicomSeries.open(dir));
        assertTrue(e.getMessage().contains("2 image series"), e.getMessage());
    }

    @Test
    void repeatedPositionsAreReported(@TempDir Path dir) throws IOException {
        // Real folders show this when several echoes or time points share one series.
        for (String n : List.of("01.dcm", "02.dcm")) {
            Files.copy(Reference.data("dicom/series_ct_3slice/" + n), dir.resolve(n));
        }
        Files.copy(Reference.data("dicom/series_ct_3slice/02.dcm"), dir.resolve("02b.dcm"));
        DicomSeries s = DicomSeries.open(dir);
        assertEquals(3, s.size());
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("same position")), s.warnings().toString());
    }

    /** The data bytes of one member of the npz (NPY 1.0, little-endian, C order). */
    private static byte[] npy(String member) throws IOException {
        try (ZipFile zip = new ZipFile(Reference.data("derived/ct_3slice_liver_medsam_style.npz").toFile())) {
            ZipEntry e = zip.getEntry(member);
            try (InputStream in = zip.getInputStream(e)) {
                byte[] all = in.readAllBytes();
                assertEquals((byte) 0x93, all[0]);
                assertEquals(1, all[6], "NPY version 1");
                int headerLen = (all[8] & 0xFF) | (all[9] & 0xFF) << 8;
                String header = new String(all, 10, headerLen, StandardCharsets.US_ASCII);
                assertTrue(header.contains("'fortran_order': False"), header);
                byte[] data = new byte[all.length - 10 - headerLen];
                System.arraycopy(all, 10 + headerLen, data, 0, data.length);
                return data;
            }
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
