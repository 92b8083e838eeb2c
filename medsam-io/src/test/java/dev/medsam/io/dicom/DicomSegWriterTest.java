package dev.medsam.io.dicom;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.dicom.internal.Tags;
import dev.medsam.io.dicom.internal.Uids;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SEG writing: structure, round trip through our reader, and the opinions of dciodvfy, dcmdump and pydicom. */
class DicomSegWriterTest {

    @TempDir
    Path tmp;

    static final DicomSegWriter WRITER = DicomSegWriter.builder("MedSAM", "0.1.0-test")
            .segment(1, SegmentDescription.of("Liver"))
            .segment(2, SegmentDescription.of("tumour"))
            .build();

    static DicomSeries series() throws IOException {
        return DicomSeries.open(Reference.data("dicom/series_ct_3slice"));
    }

    /** The dcmqi liver mask on the 3-slice CT, plus a small second label on the middle slice only. */
    static MedicalImage liverAndLesion(DicomSeries series) throws IOException {
        MedicalImage liver = DicomSegmentation.open(Reference.data("dicom/series_ct_3slice_seg/liver_seg.dcm"))
                .labelVolume(series);
        byte[] v = new byte[(int) liver.voxelCount()];
        liver.data().get(v);
        int plane = liver.width() * liver.height();
        for (int y = 300; y < 320; y++) {
            for (int x = 100; x < 130; x++) {
                v[plane + y * liver.width() + x] = 2;
            }
        }
        return MedicalImage.builder(DataType.UINT8, liver.dims()).affine(series.affine()).data(ByteBuffer.wrap(v)).build();
    }

    static byte[] bytes(MedicalImage image) {
        byte[] v = new byte[(int) image.voxelCount()];
        image.data().get(v);
        return v;
    }

    @Test
    void seriesRoundTripsThroughOurReader() throws IOException {
        DicomSeries series = series();
        MedicalImage labels = liverAndLesion(series);
        Path out = tmp.resolve("seg.dcm");
        DicomSegWriter.Result r = WRITER.write(out, series, labels);
        assertEquals(List.of(1, 2), r.segments());
        assertEquals(3 + 1, r.frames(), "3 liver slices and the one slice holding label 2");
        assertTrue(Uids.isValid(r.sopInstanceUid()) && r.sopInstanceUid().startsWith("2.25."));

        DicomSegmentation seg = DicomSegmentation.open(out);
        assertEquals("BINARY", seg.segmentationType());
        assertEquals(List.of(new DicomSegmentation.Segment(1, "Liver"), new DicomSegmentation.Segment(2, "tumour")),
                seg.segments());
        MedicalImage back = seg.labelVolume(series);
        assertArrayEquals(labels.dims(), back.dims());
        assertArrayEquals(bytes(labels), bytes(back));
        // frames reference the slices they were drawn on
        for (DicomSegmentation.Frame f : seg.frames()) {
            assertTrue(series.indexOf(f.referencedSopInstanceUid()) >= 0, f.toString());
        }
        DicomDataset ds = seg.file().dataset();
        DicomFile ct = series.files().get(0);
        for (int tag : new int[] {0x00100010, 0x00100020, Tags.STUDY_INSTANCE_UID, 0x00080020, Tags.FRAME_OF_REFERENCE_UID}) {
            assertEquals(ct.dataset().string(tag), ds.string(tag), DicomDataset.formatTag(tag));
        }
        assertNotEquals(ct.seriesInstanceUid(), seg.file().seriesInstanceUid());
        assertEquals("SEG", seg.file().modality().orElseThrow());
        assertEquals(1, seg.file().dataset().sequence(Tags.REFERENCED_SERIES_SEQUENCE).size());
    }

    @Test
    void everyWriteMakesNewUids() throws IOException {
        DicomSeries series = series();
        MedicalImage labels = liverAndLesion(series);
        DicomSegWriter.Result a = WRITER.write(tmp.resolve("a.dcm"), series, labels);
        DicomSegWriter.Result b = WRITER.write(tmp.resolve("b.dcm"), series, labels);
        assertNotEquals(a.sopInstanceUid(), b.sopInstanceUid());
        assertNotEquals(a.seriesInstanceUid(), b.seriesInstanceUid());
    }

    @Test
    void singleImageRoundTrips() throws IOException {
        Path file = Reference.data("dicom/single/pydicom_CT_small.dcm");
        DicomFile ct = DicomFile.open(file);
        MedicalImage labels = disc(ct, 3);
        Path out = tmp.resolve("single.dcm");
        DicomSegWriter.Result r = WRITER.write(out, ct, labels);
        assertEquals(List.of(1, 2, 3), r.segments(), "described 1, 2 and the drawn 3");
        assertEquals(1, r.frames());
        DicomSegmentation seg = DicomSegmentation.open(out);
        assertEquals("Segment 3", seg.segments().get(2).label());
        MedicalImage back = seg.labelVolume(DicomSeries.of(List.of(file)));
        assertArrayEquals(bytes(labels), bytes(back));
    }

    /** A disc of label {@code value} in the middle of the image, on its grid. */
    static MedicalImage disc(DicomFile ct, int value) {
        int w = ct.columns();
        int h = ct.rows();
        byte[] v = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if ((x - w / 2) * (x - w / 2) + (y - h / 3) * (y - h / 3) < (w / 6) * (w / 6)) {
                    v[y * w + x] = (byte) value;
                }
            }
        }
        return MedicalImage.builder(DataType.UINT8, w, h).affine(ct.affine()).data(ByteBuffer.wrap(v)).build();
    }

    @Test
    void dciodvfyFindsNoError() throws Exception {
        DicomSeries series = series();
        Path a = tmp.resolve("series.dcm");
        WRITER.write(a, series, liverAndLesion(series));
        SegTools.assertDciodvfyClean(a);
        DicomFile ct = DicomFile.open(Reference.data("dicom/single/pydicom_CT_small.dcm"));
        Path b = tmp.resolve("single.dcm");
        WRITER.write(b, ct, disc(ct, 1));
        SegTools.assertDciodvfyClean(b);
        Path c = tmp.resolve("utf8.dcm");
        DicomSegWriter.builder("MedSAM", "1").segment(1, SegmentDescription.of("Leber (größter Lappen)")).build()
                .write(c, ct, disc(ct, 1));
        SegTools.assertDciodvfyClean(c);
    }

    @Test
    void dcmdumpParsesIt() throws Exception {
        DicomSeries series = series();
        Path a = tmp.resolve("series.dcm");
        WRITER.write(a, series, liverAndLesion(series));
        String dump = SegTools.dcmdump(a);
        assertTrue(dump.contains("SegmentationStorage"), dump);
        assertTrue(dump.contains("(0028,0008) IS [4]"), "NumberOfFrames 4:\n" + dump);
        assertTrue(dump.contains("[10200004]") && dump.contains("[SCT]"), "SNOMED CT liver code:\n" + dump);
        assertTrue(dump.contains("SEMIAUTOMATIC"), dump);
    }

    @Test
    void pydicomReadsTheSameMasks() throws Exception {
        DicomSeries series = series();
        MedicalImage labels = liverAndLesion(series);
        Path a = tmp.resolve("series.dcm");
        WRITER.write(a, series, labels);
        // unpack the bits ourselves in Python so that the check does not depend on numpy's pixel handlers
        String out = SegTools.pydicom(a, String.join("\n",
                "ds = pydicom.dcmread(sys.argv[1])",
                "raw = ds.PixelData",
                "n = int(ds.NumberOfFrames) * ds.Rows * ds.Columns",
                "ones = sum(bin(b).count('1') for b in raw)",
                "segs = [int(f.SegmentIdentificationSequence[0].ReferencedSegmentNumber) for f in ds.PerFrameFunctionalGroupsSequence]",
                "print(ds.SOPClassUID, ds.Modality, ds.NumberOfFrames, len(raw), n, ones, segs, ds.SegmentSequence[0].SegmentedPropertyTypeCodeSequence[0].CodeMeaning)",
                "try:",
                "    import numpy",
                "except ImportError:",
                "    numpy = None",
                "if numpy is not None:",
                "    a = ds.pixel_array",
                "    print('pixel_array', a.shape, int(a.sum()))"));
        byte[] v = bytes(labels);
        long ones = 0;
        for (byte b : v) {
            ones += b != 0 ? 1 : 0;
        }
        long n = 4L * 512 * 512;
        List<String> lines = out.strip().lines().toList();
        assertEquals("1.2.840.10008.5.1.4.1.1.66.4 SEG 4 " + ((n / 8 + 1) / 2 * 2) + " " + n + " " + ones
                + " [1, 1, 1, 2] Liver", lines.get(0));
        if (lines.size() > 1) {
            // pydicom's own bit unpacking, where numpy is there for it
            assertEquals("pixel_array (4, 512, 512) " + ones, lines.get(1));
        }
    }

    @Test
    void refusesWhatDoesNotFit() throws IOException {
        DicomSeries series = series();
        MedicalImage labels = liverAndLesion(series);
        Path out = tmp.resolve("x.dcm");
        DicomFile ct = series.files().get(0);
        var e = assertThrows(IllegalArgumentException.class, () -> WRITER.write(out, ct, labels));
        assertTrue(e.getMessage().contains("dims"), e.getMessage());
        MedicalImage empty = MedicalImage.builder(DataType.UINT8, 512, 512, 3).affine(series.affine())
                .data(ByteBuffer.allocate(512 * 512 * 3)).build();
        e = assertThrows(IllegalArgumentException.class, () -> WRITER.write(out, series, empty));
        assertTrue(e.getMessage().contains("no labelled pixel"), e.getMessage());
        MedicalImage floats = MedicalImage.builder(DataType.FLOAT32, 512, 512, 3).affine(series.affine())
                .data(ByteBuffer.allocate(512 * 512 * 3 * 4)).build();
        assertThrows(IllegalArgumentException.class, () -> WRITER.write(out, series, floats));
        MedicalImage shifted = labels.toBuilder(DataType.UINT8)
                .affine(dev.medsam.core.image.Affine.ofSpacing(CoordinateSystem.LPS, new double[] {1, 1, 1},
                        new double[] {0, 0, 0}))
                .data(ByteBuffer.wrap(bytes(labels))).build();
        e = assertThrows(IllegalArgumentException.class, () -> WRITER.write(out, series, shifted));
        assertTrue(e.getMessage().contains("grid"), e.getMessage());
        MedicalImage negative = MedicalImage.builder(DataType.INT16, 512, 512, 3).affine(series.affine())
                .data(ByteBuffer.allocate(512 * 512 * 3 * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .putShort(10, (short) -4)).build();
        e = assertThrows(IllegalArgumentException.class, () -> WRITER.write(out, series, negative));
        assertTrue(e.getMessage().contains("-4") && e.getMessage().contains("index 5"), e.getMessage());
        assertFalse(Files.exists(out), "no file after a refusal");
    }

    @Test
    void refusesSourcesWithoutGeometry() throws IOException {
        Path file = tmp.resolve("noframe.dcm");
        Files.write(file, TestDicom.image(4, 4, 8, 8, false, 1).str(Tags.STUDY_INSTANCE_UID, "UI", "1.2.3")
                .pixels("OB", new byte[16]).write(TestDicom.Syntax.EXPLICIT_LE));
        DicomFile sc = DicomFile.open(file);
        byte[] v = new byte[16];
        v[5] = 1;
        MedicalImage labels = MedicalImage.builder(DataType.UINT8, 4, 4).affine(sc.affine()).data(ByteBuffer.wrap(v)).build();
        Path out = tmp.resolve("x.dcm");
        var e = assertThrows(IOException.class, () -> WRITER.write(out, sc, labels));
        assertTrue(e.getMessage().contains("Frame of Reference UID (0020,0052)") && e.getMessage().contains("noframe.dcm"),
                e.getMessage());
        assertFalse(Files.exists(out));
    }
}
