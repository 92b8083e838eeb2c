package dev.medsam.io;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.TempFolders;
import dev.medsam.io.metaimage.MetaImageReader;
import dev.medsam.io.metaimage.MetaImageWriter;
import dev.medsam.io.nrrd.NrrdImage;
import dev.medsam.io.nrrd.NrrdReader;
import dev.medsam.io.nrrd.NrrdSegment;
import dev.medsam.io.nrrd.NrrdWriter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * write -> read is lossless for NRRD ({@code .nrrd}, {@code .nhdr}, {@code .seg.nrrd}) and MetaImage
 * ({@code .mha}, {@code .mhd}): random types, shapes, components, encodings and rotated, sheared-free affines.
 */
class FormatRoundTripTest {

    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("format-rt");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        TempFolders.deleteTree(dir);
    }

    record Case(DataType type, int components, int[] dims, long seed, String extension, boolean compressed,
                double[] angles, double[] spacing, double[] origin, boolean flip) {
        @Override
        public String toString() {
            return type + "x" + components + " " + Arrays.toString(dims) + " " + extension
                    + (compressed ? " compressed" : "") + " angles " + Arrays.toString(angles) + " spacing "
                    + Arrays.toString(spacing) + " origin " + Arrays.toString(origin) + (flip ? " flipped" : "");
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<DataType> types = Arbitraries.of(Arrays.stream(DataType.values())
                .filter(t -> t != DataType.FLOAT16).toArray(DataType[]::new));
        Arbitrary<int[]> dims = Arbitraries.integers().between(2, 4).flatMap(rank ->
                Arbitraries.integers().between(1, 6).array(int[].class).ofSize(rank));
        Arbitrary<double[]> angles = Arbitraries.doubles().between(-3.14, 3.14).ofScale(4).array(double[].class).ofSize(3);
        Arbitrary<double[]> spacing = Arbitraries.doubles().between(0.1, 5).array(double[].class).ofSize(3);
        Arbitrary<double[]> origin = Arbitraries.doubles().between(-300, 300).array(double[].class).ofSize(3);
        return Combinators.combine(types, Arbitraries.of(1, 3, 4), dims, Arbitraries.longs(),
                        Arbitraries.of(".nrrd", ".nhdr", ".mha", ".mhd"), Arbitraries.of(true, false), angles, spacing)
                .as((t, c, d, s, e, z, a, sp) -> new Object[] {t, c, d, s, e, z, a, sp})
                .flatMap(o -> Combinators.combine(origin, Arbitraries.of(true, false)).as((or, f) ->
                        new Case((DataType) o[0], (Integer) o[1], (int[]) o[2], (Long) o[3], (String) o[4],
                                (Boolean) o[5], (double[]) o[6], (double[]) o[7], or, f)));
    }

    /** A rotation from three angles, columns scaled by the spacing; a 2D image's stays in the z = 0 plane. */
    static Affine affine(Case c, int rank) {
        double[][] r;
        if (rank == 2) {
            double a = c.angles[0];
            r = new double[][] {{Math.cos(a), -Math.sin(a), 0}, {Math.sin(a), Math.cos(a), 0}, {0, 0, 1}};
        } else {
            r = rotation(c.angles);
        }
        double[] m = new double[12];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                m[row * 4 + col] = r[row][col] * c.spacing[col] * (c.flip && col == 0 ? -1 : 1);
            }
            m[row * 4 + 3] = rank == 2 && row == 2 ? 0 : c.origin[row];
        }
        return Affine.of(CoordinateSystem.LPS, m);
    }

    private static double[][] rotation(double[] a) {
        double cx = Math.cos(a[0]), sx = Math.sin(a[0]), cy = Math.cos(a[1]), sy = Math.sin(a[1]);
        double cz = Math.cos(a[2]), sz = Math.sin(a[2]);
        return new double[][] {
            {cy * cz, -cy * sz, sy},
            {sx * sy * cz + cx * sz, -sx * sy * sz + cx * cz, -sx * cy},
            {-cx * sy * cz + sx * sz, cx * sy * sz + sx * cz, cx * cy}};
    }

    static MedicalImage image(Case c) {
        long n = c.components;
        for (int d : c.dims) {
            n *= d;
        }
        byte[] v = new byte[(int) n * c.type.bytes()];
        new Random(c.seed).nextBytes(v);
        if (c.type.isFloatingPoint()) {
            ByteBuffer b = ByteBuffer.wrap(v).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            Random r = new Random(c.seed);
            for (int i = 0; i < n; i++) {
                double x = (r.nextDouble() - 0.5) * 1e4;
                if (c.type == DataType.FLOAT32) {
                    b.putFloat(i * 4, (float) x);
                } else {
                    b.putDouble(i * 8, x);
                }
            }
        }
        return MedicalImage.builder(c.type, c.dims).components(c.components).affine(affine(c, c.dims.length))
                .data(ByteBuffer.wrap(v)).build();
    }

    @Property(tries = 300)
    void writeThenReadGivesTheSameValuesAndAffine(@ForAll("cases") Case c) throws IOException {
        MedicalImage img = image(c);
        Path p = dir.resolve("rt" + c.extension);
        boolean nrrd = c.extension.startsWith(".n");
        if (nrrd) {
            NrrdWriter.write(img, p, c.compressed);
        } else {
            MetaImageWriter.write(img, p, c.compressed);
        }
        MedicalImage back = nrrd ? NrrdReader.read(p).image() : MetaImageReader.read(p);
        assertEquals(ImageFormat.valueOf(nrrd ? "NRRD" : "METAIMAGE"), MedicalImages.detect(p));
        assertEquals(img.dataType(), back.dataType(), c.toString());
        assertArrayEquals(img.dims(), back.dims(), c.toString());
        assertEquals(img.components(), back.components(), c.toString());
        assertEquals(img.data(), back.data(), c.toString());
        assertSameGeometry(img, back, c.toString());
        try (Stream<Path> s = Files.list(dir)) {
            List<String> left = s.map(f -> f.getFileName().toString()).filter(f -> f.startsWith(".")).toList();
            assertEquals(List.of(), left, "no staging files are left");
        }
    }

    @Property(tries = 60)
    void segmentationsKeepLabelsNamesAndGeometry(@ForAll("cases") Case c, @ForAll("names") List<String> names)
            throws IOException {
        int[] dims = Arrays.copyOf(c.dims, Math.min(3, c.dims.length));
        long n = Arrays.stream(dims).asLongStream().reduce(1, (a, b) -> a * b);
        byte[] labels = new byte[(int) n];
        Random r = new Random(c.seed);
        List<NrrdSegment> segments = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            segments.add(NrrdSegment.of(names.get(i), i + 1));
        }
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) r.nextInt(names.size() + 1);
        }
        MedicalImage mask = MedicalImage.builder(DataType.UINT8, dims).affine(affine(c, dims.length))
                .data(ByteBuffer.wrap(labels)).build();
        Path p = dir.resolve(c.compressed ? "s.seg.nrrd" : "s.seg.nhdr");
        NrrdWriter.writeSegmentation(mask, segments, p);
        NrrdImage back = NrrdReader.read(p);
        assertEquals(segments, back.segments());
        ByteBuffer expected = ByteBuffer.wrap(labels);
        assertEquals(expected, back.image().data());
        int[] expectedDims = dims.length == 2 ? new int[] {dims[0], dims[1], 1} : dims;
        assertArrayEquals(expectedDims, back.image().dims());
        assertSameGeometry(mask, back.image(), c.toString());
        // MedicalImages.write keeps the names a mask read from a segmentation carries.
        Path again = dir.resolve("again.seg.nrrd");
        MedicalImages.write(back.image(), again);
        List<NrrdSegment> present = new ArrayList<>();
        for (NrrdSegment s : segments) {
            for (byte b : labels) {
                if (b == s.labelValue()) {
                    present.add(s);
                    break;
                }
            }
        }
        assertEquals(present.stream().map(NrrdSegment::name).toList(),
                NrrdReader.read(again).segments().stream().map(NrrdSegment::name).toList());
    }

    /**
     * Same affine within 1e-9 mm; for a 2D image only the in-plane columns and the origin, since neither format
     * stores a 2D image's third axis (the readers make it the plane's unit normal or unit z).
     */
    static void assertSameGeometry(MedicalImage expected, MedicalImage actual, String what) {
        Affine e = expected.affine(CoordinateSystem.LPS);
        Affine a = actual.affine(CoordinateSystem.LPS);
        int columns = expected.rank() == 2 ? 2 : 3;
        for (int r = 0; r < 3; r++) {
            for (int col = 0; col < 4; col++) {
                if (col < columns || col == 3) {
                    assertEquals(e.get(r, col), a.get(r, col), 1e-9, what + ": " + e + " came back as " + a);
                }
            }
        }
    }

    @Provide
    Arbitrary<List<String>> names() {
        return Arbitraries.strings().withCharRange('a', 'z').withChars(' ', '-', '\\', 'é').ofMinLength(1)
                .ofMaxLength(12).filter(s -> !s.isBlank()).list().ofMinSize(1).ofMaxSize(4);
    }
}
