package dev.medsam.io.dicom;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.RequiresSharedFixtures;
import dev.medsam.io.dicom.internal.CieLab;
import dev.medsam.io.dicom.internal.DicomOutput;
import dev.medsam.io.dicom.internal.Uids;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SEG round trips for random label volumes, and the encoders' small pieces. */
class DicomSegWriterPropertiesTest {

    /** Random blobs of up to four labels (some above 255) on the 3-slice CT read back as the same volume. */
    @Property(tries = 12)
    @AddLifecycleHook(RequiresSharedFixtures.class)
    void randomLabelVolumesRoundTrip(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int labels,
                                     @ForAll boolean wide) throws IOException {
        DicomSeries series = DicomSeries.open(Reference.data("dicom/series_ct_3slice"));
        int w = 512;
        int h = 512;
        int plane = w * h;
        Random rnd = new Random(seed);
        int[] values = new int[labels];
        for (int i = 0; i < labels; i++) {
            values[i] = wide ? 250 + 7 * i : i + 1;
        }
        short[] v = new short[plane * 3];
        for (int k = 0; k < 6; k++) {
            int label = values[rnd.nextInt(labels)];
            int z = rnd.nextInt(3);
            int cx = rnd.nextInt(w);
            int cy = rnd.nextInt(h);
            int r = 1 + rnd.nextInt(60);
            for (int y = Math.max(0, cy - r); y < Math.min(h, cy + r); y++) {
                for (int x = Math.max(0, cx - r); x < Math.min(w, cx + r); x++) {
                    v[z * plane + y * w + x] = (short) label;
                }
            }
        }
        ByteBuffer data = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        data.asShortBuffer().put(v);
        MedicalImage image = MedicalImage.builder(DataType.UINT16, w, h, 3).affine(series.affine()).data(data).build();
        Path dir = Files.createTempDirectory("seg-prop");
        Path out = dir.resolve("seg.dcm");
        try {
            DicomSegWriter.builder("MedSAM", "test").build().write(out, series, image);
            MedicalImage back = DicomSegmentation.open(out).labelVolume(series);
            assertArrayEquals(image.dims(), back.dims());
            for (int i = 0; i < v.length; i++) {
                if (back.get(i) != v[i]) {
                    throw new AssertionError("voxel " + i + ": wrote " + v[i] + ", read " + back.get(i));
                }
            }
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir);
        }
    }

    @Property
    void decimalStringsFitSixteenCharactersAndKeepTheValue(@ForAll double value) {
        net.jqwik.api.Assume.that(Double.isFinite(value));
        String s = DicomOutputAccess.decimal(value);
        assertTrue(s.length() <= 16 && s.matches("[-+0-9.E]+"), s);
        double back = Double.parseDouble(s);
        assertEquals(value, back, Math.abs(value) * 1e-8, s);
    }

    @Example
    void commonGeometryValuesAreWrittenExactly() {
        assertEquals("0.810547", DicomOutputAccess.decimal(0.810547));
        assertEquals("-128.69", DicomOutputAccess.decimal(-128.69));
        assertEquals("1", DicomOutputAccess.decimal(1.0));
        assertEquals("0", DicomOutputAccess.decimal(-0.0));
        assertEquals("1E-7", DicomOutputAccess.decimal(1e-7));
    }

    @Property
    void uidsFromUuidsAreValidAndUnderTwoDotTwentyFive(@ForAll long hi, @ForAll long lo) {
        String uid = Uids.fromUuid(new UUID(hi, lo));
        assertTrue(uid.startsWith("2.25.") && Uids.isValid(uid) && uid.length() <= 44, uid);
        assertEquals(new java.math.BigInteger(uid.substring(5)),
                new java.math.BigInteger(1, ByteBuffer.allocate(16).putLong(hi).putLong(lo).array()));
    }

    @Example
    void cieLabMatchesWhatDcmqiWroteForSlicersLiverColour() {
        // liver_seg.dcm (dcmqi, from 3D Slicer's colour (221, 130, 101)) stores 41661\41167\40792
        int[] lab = CieLab.dicomLab(221, 130, 101);
        int[] dcmqi = {41661, 41167, 40792};
        for (int i = 0; i < 3; i++) {
            assertTrue(Math.abs(lab[i] - dcmqi[i]) <= 4, java.util.Arrays.toString(lab));
        }
        assertArrayEquals(new int[] {65535, 32896, 32896}, CieLab.dicomLab(255, 255, 255));
        assertArrayEquals(new int[] {0, 32896, 32896}, CieLab.dicomLab(0, 0, 0));
    }

    @Example
    void theOrganTableCodesLiverAndFallsBackToTissue() {
        SegmentDescription liver = SegmentDescription.of(" LIVER ");
        assertEquals("LIVER", liver.label());
        assertEquals(new CodedConcept("10200004", "SCT", "Liver"), liver.type());
        assertEquals(new CodedConcept("123037004", "SCT", "Anatomical Structure"), liver.category());
        assertEquals(CodedConcept.snomed("18639004", "Left kidney"), SegmentDescription.of("kidney_left").type());
        assertEquals(CodedConcept.snomed("108369006", "Neoplasm"), SegmentDescription.of("Tumour").type());
        SegmentDescription other = SegmentDescription.of("region 7");
        assertEquals(SegmentDescription.TISSUE, other.type());
        assertEquals(SegmentDescription.TISSUE, other.category());
        for (String bad : List.of("", "  ", "a\\b", "x".repeat(65))) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> SegmentDescription.of(bad),
                    bad);
        }
    }

    /** Reaches the package-private decimal formatter of the encoder. */
    static final class DicomOutputAccess {
        static String decimal(double v) {
            DicomOutput o = new DicomOutput().decimals(0x00180050, v);
            byte[] b = o.toBytes();
            int len = (b[6] & 0xFF) | (b[7] & 0xFF) << 8;
            return new String(b, 8, len, java.nio.charset.StandardCharsets.US_ASCII).strip();
        }
    }
}
