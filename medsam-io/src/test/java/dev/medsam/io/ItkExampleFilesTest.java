package dev.medsam.io;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.metaimage.MetaImageReader;
import dev.medsam.io.nrrd.NrrdImage;
import dev.medsam.io.nrrd.NrrdReader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ITK's example images (see src/test/resources/itk/SOURCES.md) read with the dims, spacing, direction and
 * values their headers declare; expected values from NumPy reading the raw and zlib data independently.
 */
class ItkExampleFilesTest {

    private static final Path DEBIAN_DATA = Path.of("/usr/share/doc/insighttoolkit5-examples/examples/Data");
    private static final double COS30 = Math.cos(Math.toRadians(30));

    static Path resource(String name) throws URISyntaxException {
        return Path.of(ItkExampleFilesTest.class.getResource("/itk/" + name).toURI());
    }

    private static String sha256(MedicalImage image) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(image.data());
        return HexFormat.of().formatHex(md.digest());
    }

    private static long sum(MedicalImage image) {
        long s = 0;
        for (long i = 0; i < image.valueCount(); i++) {
            s += (long) image.get(i);
        }
        return s;
    }

    @Test
    void detachedNrrdWithRotatedDirections() throws Exception {
        Path p = resource("BrainProtonDensitySliceBorder20DirectionPlus30.nhdr");
        assertEquals(ImageFormat.NRRD, MedicalImages.detect(p));
        NrrdImage n = NrrdReader.read(p);
        MedicalImage img = n.image();
        assertArrayEquals(new int[] {221, 257}, img.dims());
        assertEquals(1, img.components());
        // NumPy: uint8 (257, 221), sum 4861905, [50, 100] = 156, [200, 30] = 10.
        assertEquals(4861905, sum(img));
        assertEquals(156, img.get(img.index(100, 50, 0, 0)));
        assertEquals(10, img.get(img.index(30, 200, 0, 0)));
        assertEquals("a2a6343e7a773d15209150c977a65fe37d2d62649f7e7118a0eba33c2d8933a2", sha256(img));
        // space directions: (0.866025,0.5) (-0.5,0.866025) in a 2D space, origin (0,0).
        Affine a = img.affine(CoordinateSystem.LPS);
        assertArrayEquals(new double[] {0.866025, 0.5, 0}, column(a, 0), 1e-12);
        assertArrayEquals(new double[] {-0.5, 0.866025, 0}, column(a, 1), 1e-12);
        assertArrayEquals(new double[] {0, 0, 1}, column(a, 2), 1e-12);
        assertArrayEquals(new double[] {0, 0, 0}, a.origin(), 0);
        assertEquals("domain domain", n.fields().get("kinds"));
        assertTrue(n.segments().isEmpty());
    }

    @Test
    void metaImageWithZlibDataFileMatchesTheNrrd() throws Exception {
        Path p = resource("BrainProtonDensitySliceBorder20DirectionPlus30.mhd");
        assertEquals(ImageFormat.METAIMAGE, MedicalImages.detect(p));
        MedicalImage img = MetaImageReader.read(p);
        MedicalImage nrrd = NrrdReader.read(resource("BrainProtonDensitySliceBorder20DirectionPlus30.nhdr")).image();
        assertArrayEquals(new int[] {221, 257}, img.dims());
        assertEquals(sha256(nrrd), sha256(img), "the .zraw holds the same pixels as the NRRD's .raw (NumPy agrees)");
        // TransformMatrix = 0.8660254 0.5 -0.5 0.8660254: axis 0 along (cos 30, sin 30), axis 1 along (-sin, cos).
        Affine a = img.affine(CoordinateSystem.LPS);
        assertArrayEquals(new double[] {0.8660254, 0.5, 0}, column(a, 0), 1e-12);
        assertArrayEquals(new double[] {-0.5, 0.8660254, 0}, column(a, 1), 1e-12);
        assertTrue(a.approximatelyEquals(nrrd.affine(CoordinateSystem.LPS), 1e-6), "same geometry as the NRRD");
        assertEquals(COS30, a.get(0, 0), 1e-7);
        assertEquals("??", img.attributes().get("metaimage.AnatomicalOrientation"));
    }

    @Test
    void localCompressedFloatWithOffsetAndSpacing() throws Exception {
        MedicalImage img = MedicalImages.read(resource("CorpusCallosumMeanShape.mha")).image();
        assertArrayEquals(new int[] {58, 31}, img.dims());
        assertEquals("float32", img.dataType().numpyName());
        Affine a = img.affine(CoordinateSystem.LPS);
        assertArrayEquals(new double[] {2, 2, 1}, img.spacing(), 0);
        assertArrayEquals(new double[] {-57.5, -30.5, 0}, a.origin(), 0);
        // NumPy: float32 (31, 58), sum 22673.18359375, min -3.8260929584503174, max 38.650211334228516,
        // [10, 20] = 3.4064040184020996, [30, 57] = 26.134265899658203.
        double s = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (long i = 0; i < img.valueCount(); i++) {
            double v = img.get(i);
            s += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(22673.18359375, s, 1e-2);
        assertEquals(-3.8260929584503174, min, 0);
        assertEquals(38.650211334228516, max, 0);
        assertEquals(3.4064040184020996, img.get(img.index(20, 10, 0, 0)), 0);
        assertEquals(26.134265899658203, img.get(img.index(57, 30, 0, 0)), 0);
    }

    @Test
    void separateRawFileWithAnisotropicSpacing() throws Exception {
        Inspection ins = MedicalImages.inspect(resource("ResampleImageFilterInput2x3.mha"));
        assertEquals(ImageFormat.METAIMAGE, ins.format());
        Inspection.Entry e = ins.entries().get(0);
        assertArrayEquals(new int[] {90, 72}, e.dims());
        assertArrayEquals(new double[] {2, 3}, e.spacing().orElseThrow(), 0);
        MedicalImage img = MetaImageReader.read(resource("ResampleImageFilterInput2x3.mha"));
        // NumPy: uint8 (72, 90), sum 809810, [36, 45] = 206, [0, 0] = 1, [71, 89] = 5.
        assertEquals(809810, sum(img));
        assertEquals(206, img.get(img.index(45, 36, 0, 0)));
        assertEquals(1, img.get(0));
        assertEquals(5, img.get(img.index(89, 71, 0, 0)));
    }

    /** Every MetaImage and NRRD header Debian ships reads with the DimSize/sizes it declares. */
    @Test
    void everyDebianExampleReadsWithItsDeclaredDims() throws IOException {
        assumeTrue(Files.isDirectory(DEBIAN_DATA), "insighttoolkit5-examples is not installed (CI installs it)");
        List<Path> files;
        try (Stream<Path> s = Files.list(DEBIAN_DATA)) {
            files = s.filter(p -> p.toString().matches(".*\\.(mha|mhd|nhdr|nrrd)")).sorted().toList();
        }
        assertTrue(files.size() >= 20, "expected the ITK example headers, found " + files);
        for (Path p : files) {
            String header = headerText(p);
            String declared = header.lines().filter(l -> l.startsWith("DimSize") || l.startsWith("sizes:"))
                    .findFirst().orElseThrow();
            String[] parts = declared.replaceFirst("^(DimSize\\s*=|sizes:)", "").trim().split("\\s+");
            LoadedImage li = MedicalImages.read(p);
            int[] dims = li.image().dims();
            int c = li.image().components();
            int[] expected = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                expected[i] = Integer.parseInt(parts[i]);
            }
            assertArrayEquals(expected, dims, p + " (" + c + " components)");
        }
    }

    private static String headerText(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        return new String(b, 0, Math.min(b.length, 600), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static double[] column(Affine a, int c) {
        return new double[] {a.get(0, c), a.get(1, c), a.get(2, c)};
    }
}
