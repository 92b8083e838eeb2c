package dev.medsam.io.nrrd;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.testing.HeaderFiles;
import dev.medsam.io.testing.Mangle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NRRD behaviours one at a time, on small hand-written files (headers as Teem, ITK and 3D Slicer write them). */
class NrrdReaderTest {

    @TempDir
    Path tmp;

    private Path file(String name, String header, byte[] data) throws Exception {
        return HeaderFiles.write(tmp, name, header, data);
    }

    private static byte[] shorts(ByteOrder order, int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(order);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    @Test
    void gzipBigEndianInRasSpaceBecomesLps() throws Exception {
        Path p = file("a.nrrd", "NRRD0004\n# comment\ntype: short\ndimension: 3\nspace: right-anterior-superior\n"
                + "sizes: 2 2 1\nspace directions: (0.5,0,0) (0,0.75,0) (0,0,2)\nkinds: domain domain domain\n"
                + "endian: big\nencoding: gzip\nspace origin: (10,20,30)\n\n",
                Mangle.gzip(shorts(ByteOrder.BIG_ENDIAN, -1000, 1, 2, 32767)));
        MedicalImage img = NrrdReader.read(p).image();
        assertEquals(DataType.INT16, img.dataType());
        assertArrayEquals(new int[] {2, 2, 1}, img.dims());
        assertArrayEquals(new double[] {-1000, 1, 2, 32767}, img.toDoubleArray(), 0);
        Affine lps = img.affine(CoordinateSystem.LPS);
        // RAS (10, 20, 30) is LPS (-10, -20, 30); the x and y axes flip sign.
        assertArrayEquals(new double[] {-10, -20, 30}, lps.origin(), 0);
        assertEquals(-0.5, lps.get(0, 0), 0);
        assertEquals(-0.75, lps.get(1, 1), 0);
        assertEquals(2, lps.get(2, 2), 0);
        assertEquals("right-anterior-superior", img.attributes().get("nrrd.space"));
    }

    @Test
    void leftAnteriorSuperiorFlipsOnlyY() throws Exception {
        Path p = file("las.nrrd", "NRRD0005\ntype: uint8\ndimension: 3\nspace: LAS\nsizes: 1 1 1\n"
                + "space directions: (1,0,0) (0,1,0) (0,0,1)\nencoding: raw\nspace origin: (1,2,3)\n\n", new byte[] {7});
        Affine a = NrrdReader.read(p).image().affine(CoordinateSystem.LPS);
        assertArrayEquals(new double[] {1, -2, 3}, a.origin(), 0);
        assertEquals(-1, a.get(1, 1), 0);
    }

    @Test
    void asciiEncodingAndSpacingsWithoutSpace() throws Exception {
        Path p = file("t.nrrd", "NRRD0001\ntype: float\ndimension: 2\nsizes: 3 2\nspacings: 0.5 4\n"
                + "encoding: ascii\n\n", "1 2.5 -3\n4e2 5 6\n".getBytes(StandardCharsets.US_ASCII));
        MedicalImage img = NrrdReader.read(p).image();
        assertArrayEquals(new double[] {1, 2.5, -3, 400, 5, 6}, img.toDoubleArray(), 0);
        assertArrayEquals(new double[] {0.5, 4, 1}, img.spacing(), 0);
    }

    @Test
    void rgbFirstAxisBecomesComponents() throws Exception {
        Path p = file("rgb.nrrd", "NRRD0004\ntype: uchar\ndimension: 3\nspace: left-posterior-superior\n"
                + "sizes: 3 2 1\nspace directions: none (1,0,0) (0,1,0)\nkinds: RGB-color domain domain\n"
                + "encoding: raw\n\n", new byte[] {1, 2, 3, 4, 5, 6});
        MedicalImage img = NrrdReader.read(p).image();
        assertEquals(3, img.components());
        assertArrayEquals(new int[] {2, 1}, img.dims());
        assertEquals(6, img.get(img.index(1, 0, 0, 2)));
    }

    @Test
    void slicerSegmentationExposesSegments() throws Exception {
        String header = "NRRD0004\ntype: unsigned char\ndimension: 3\nspace: left-posterior-superior\n"
                + "sizes: 2 2 1\nspace directions: (1,0,0) (0,1,0) (0,0,1)\nkinds: domain domain domain\n"
                + "encoding: gzip\nspace origin: (0,0,0)\n"
                + "Segment0_Color:=0.9 0.1 0.2\nSegment0_ID:=Segment_1\nSegment0_LabelValue:=1\nSegment0_Layer:=0\n"
                + "Segment0_Name:=liver\nSegment1_ID:=Segment_2\nSegment1_LabelValue:=3\nSegment1_Layer:=0\n"
                + "Segment1_Name:=tumour\nSegmentation_MasterRepresentation:=Binary labelmap\n\n";
        Path p = file("x.seg.nrrd", header, Mangle.gzip(new byte[] {0, 1, 3, 1}));
        NrrdImage n = NrrdReader.read(p);
        assertTrue(n.isSegmentation());
        assertEquals(List.of(new NrrdSegment("Segment_1", "liver", 1, 0, 0.9, 0.1, 0.2),
                new NrrdSegment("Segment_2", "tumour", 3, 0, 0.5, 0.5, 0.5)), n.segments());
        assertEquals("tumour", n.image().attributes().get("nrrd.segment.0.3"));
        assertEquals("Binary labelmap", n.keyValues().get("Segmentation_MasterRepresentation"));
    }

    @Test
    void oldSlicerSegmentationHasOneLayerPerSegment() throws Exception {
        Path p = file("old.seg.nrrd", "NRRD0004\ntype: uchar\ndimension: 4\nspace: left-posterior-superior\n"
                + "sizes: 2 1 1 1\nspace directions: none (1,0,0) (0,1,0) (0,0,1)\nkinds: list domain domain domain\n"
                + "encoding: raw\nSegment0_Name:=a\nSegment1_Name:=b\n\n", new byte[] {1, 0});
        NrrdImage n = NrrdReader.read(p);
        assertEquals(2, n.image().components());
        assertEquals(0, n.segments().get(0).layer());
        assertEquals(1, n.segments().get(1).layer());
        assertEquals(1, n.segments().get(1).labelValue());
    }

    @Test
    void detachedListAndPatternAndSkips() throws Exception {
        Files.write(tmp.resolve("s1.raw"), new byte[] {9, 9, 1, 2});
        Files.write(tmp.resolve("s2.raw"), new byte[] {9, 9, 3, 4});
        Path list = file("l.nhdr", "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 1 2\nencoding: raw\n"
                + "byte skip: 2\ndata file: LIST\ns1.raw\ns2.raw\n", new byte[0]);
        assertArrayEquals(new double[] {1, 2, 3, 4}, NrrdReader.read(list).image().toDoubleArray(), 0);
        Path pattern = file("p.nhdr", "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 1 2\nencoding: raw\n"
                + "byte skip: -1\ndata file: s%d.raw 1 2 1\n", new byte[0]);
        assertArrayEquals(new double[] {1, 2, 3, 4}, NrrdReader.read(pattern).image().toDoubleArray(), 0);
        Files.write(tmp.resolve("lines.txt"), "skip me\nand me\n5 6\n".getBytes(StandardCharsets.US_ASCII));
        Path lines = file("t.nhdr", "NRRD0004\ntype: int\ndimension: 1\nsizes: 2\nencoding: text\nline skip: 2\n"
                + "datafile: lines.txt\n", new byte[0]);
        assertArrayEquals(new double[] {5, 6}, NrrdReader.read(lines).image().toDoubleArray(), 0);
    }

    @Test
    void badInputNamesTheProblem() throws Exception {
        String base = "NRRD0004\ntype: %s\ndimension: 2\nsizes: %s\nendian: little\nencoding: %s\n%s\n";
        assertMessage(String.format(base, "block", "2 2", "raw", ""), "type 'block'");
        assertMessage(String.format(base, "short", "2 2", "bzip2", ""), "encoding 'bzip2'");
        assertMessage(String.format(base, "short", "2 0", "raw", ""), "axis 1 has size 0");
        assertMessage(String.format(base, "short", "2", "raw", ""), "'sizes' has 1 values");
        assertMessage(String.format(base, "short", "2 2", "raw", "space directions: (1,0) (0,1)\n"),
                "needs 'space' or 'space dimension'");
        assertMessage(String.format(base, "short", "2 2", "raw", "space dimension: 2\n"
                + "space directions: (1,0) (2,0)\n"), "no invertible affine");
        assertMessage(String.format(base, "short", "2 2", "raw", "data file: missing.raw\n"),
                "missing.raw does not exist");
        assertMessage(String.format(base, "short", "2 2", "raw", ""), "needs 8 bytes but the file has 3");
        assertMessage(String.format(base, "short", "2 2", "gzip", ""), "gzip");
        assertMessage("NRRD0009\n", "not NRRD0001..NRRD0005");
        assertMessage("NRRD0004\ntype short\n\n", "line 2");
    }

    private void assertMessage(String header, String expected) throws Exception {
        HeaderFiles.assertRefused(NrrdReader::read, file("bad.nrrd", header, new byte[] {1, 2, 3}), header, expected);
    }

    @Test
    void detectedByMagicWhateverTheName() throws Exception {
        Path p = file("scan.bin", "NRRD0004\ntype: uint8\ndimension: 1\nsizes: 1\nencoding: raw\n\n", new byte[] {5});
        assertEquals(ImageFormat.NRRD, MedicalImages.detect(p));
        assertEquals(5, MedicalImages.read(p).image().get(0));
    }
}
