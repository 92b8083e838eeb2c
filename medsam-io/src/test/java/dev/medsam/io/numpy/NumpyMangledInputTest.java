package dev.medsam.io.numpy;

import dev.medsam.core.testing.TempFolders;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.testing.Mangle;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** .npy and .npz readers never crash, hang or over-allocate on damaged or lying files. */
class NumpyMangledInputTest {

    private static Path dir;
    private static byte[] npyLe;
    private static byte[] npyBeFortran;
    private static byte[] npzStored;
    private static byte[] npzDeflated;

    @BeforeContainer
    static void makeFiles() throws IOException {
        dir = Files.createTempDirectory("npy-mangle");
        float[] v = new float[2 * 3 * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 1.5f;
        }
        NpyArray a = NpyArray.ofFloats(v, 2, 3, 4);
        Path p = dir.resolve("a.npy");
        Npy.write(p, a);
        npyLe = Files.readAllBytes(p);
        Npy.write(p, NpyArray.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 3, 2), ByteOrder.BIG_ENDIAN, true);
        npyBeFortran = Files.readAllBytes(p);
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2));
        m.put("spacing", NpyArray.ofDoubles(new double[] {1, 0.5, 0.5}, 3));
        Path z = dir.resolve("a.npz");
        Npz.write(z, m, false);
        npzStored = Files.readAllBytes(z);
        Npz.write(z, m, true);
        npzDeflated = Files.readAllBytes(z);
    }

    @AfterContainer
    static void removeFiles() throws IOException {
        TempFolders.deleteTree(dir);
    }

    @Provide
    Arbitrary<byte[]> bases() {
        return Arbitraries.of(0, 1, 2, 3).map(i -> new byte[][] {npyLe, npyBeFortran, npzStored, npzDeflated}[i]);
    }

    @Provide
    Arbitrary<List<Mangle.Op>> genericOps() {
        return Mangle.generic();
    }

    @Property(tries = 2000)
    void genericMutationsOnlyRaiseIOException(@ForAll("bases") byte[] base, @ForAll("genericOps") List<Mangle.Op> ops)
            throws IOException {
        Mangle.check(dir.resolve("g.bin"), Mangle.apply(base, ops), Mangle.anyFormat());
    }

    @Property(tries = 300)
    void inspectAndMedSamLayoutOnlyRaiseIOException(@ForAll("bases") byte[] base,
                                                     @ForAll("genericOps") List<Mangle.Op> ops) throws IOException {
        byte[] b = Mangle.apply(base, ops);
        Mangle.check(dir.resolve("i.bin"), b, MedicalImages::inspect);
        Mangle.check(dir.resolve("m.npz"), b, MedSamNpz::read);
    }

    /** Headers that lie: shapes, types, orders and header lengths NumPy would write differently. */
    @Provide
    Arbitrary<String> lyingHeaders() {
        Arbitrary<String> dims = Arbitraries.oneOf(
                Arbitraries.longs().between(-3, 10).map(Object::toString),
                Arbitraries.of("2147483647", "2147483648", "99999999999999999999999", "4294967296", "0", "-0",
                        "1L", "True", "'3'", "None", "3.0", "()", "(1,)"));
        Arbitrary<String> shape = dims.list().ofMaxSize(5).map(l -> "(" + String.join(", ", l)
                + (l.size() == 1 ? ",)" : ")"));
        Arbitrary<String> descr = Arbitraries.of("'<f4'", "'>f4'", "'|u1'", "'<f8'", "'|b1'", "'<i8'", "'<u8'",
                "'<f2'", "'<c8'", "'|O'", "'<U3'", "'S5'", "'<M8[ns]'", "'|i2'", "'=f4'", "'f4'", "''", "1",
                "[('a', '<i4')]", "'<f4", "'\\x00'");
        Arbitrary<String> fortran = Arbitraries.of("False", "True", "0", "'False'", "None");
        return Combinators.combine(descr, fortran, shape, Arbitraries.integers().between(0, 5))
                .as((d, f, s, variant) -> switch (variant) {
                    case 0 -> "{'descr': " + d + ", 'fortran_order': " + f + ", 'shape': " + s + ", }";
                    case 1 -> "{'shape': " + s + ", 'descr': " + d + ", 'fortran_order': " + f + "}";
                    case 2 -> "{'descr': " + d + ", 'fortran_order': " + f + "}";
                    case 3 -> "{'descr': " + d + ", 'fortran_order': " + f + ", 'shape': " + s + ", 'x': 1}";
                    case 4 -> "{'descr': " + d + ", 'fortran_order': " + f + ", 'shape': " + s;
                    default -> "[" + d + ", " + s + "]" + "((((((((((((((((((((((((((((((";
                });
    }

    @Property(tries = 2000)
    void lyingHeadersOnlyRaiseIOException(@ForAll("lyingHeaders") String header, @ForAll int major,
                                          @ForAll("dataSizes") int dataBytes) throws IOException {
        int version = Math.floorMod(major, 4) + 1; // 4 is not a version
        byte[] file = NpyTest.npy(Math.min(version, 3), header, new byte[dataBytes]);
        if (version == 4) {
            file[6] = 4;
        }
        Mangle.check(dir.resolve("h.npy"), file, Npy::read);
        // the same array as the only member of an archive
        byte[] zip = zipOf("h.npy", file);
        Mangle.check(dir.resolve("h.npz"), zip, Mangle.anyFormat());
    }

    @Provide
    Arbitrary<Integer> dataSizes() {
        return Arbitraries.of(0, 1, 3, 4, 8, 24, 100);
    }

    @Property(tries = 300)
    void lyingHeaderLengthsOnlyRaiseIOException(@ForAll long headerLength, @ForAll boolean v2) throws IOException {
        byte[] file = NpyTest.npy(v2 ? 2 : 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (v2) {
            b.putInt(8, (int) headerLength);
        } else {
            b.putShort(8, (short) headerLength);
        }
        Mangle.check(dir.resolve("l.npy"), file, Npy::read);
    }

    static byte[] zipOf(String name, byte[] content) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
            z.putNextEntry(new java.util.zip.ZipEntry(name));
            z.write(content);
            z.closeEntry();
        }
        return out.toByteArray();
    }

    @Property(tries = 1)
    void baseFilesAreValid() throws Exception {
        for (byte[] b : new byte[][] {npyLe, npyBeFortran, npzStored, npzDeflated}) {
            Path p = dir.resolve("ok.bin");
            Files.write(p, b);
            MedicalImages.read(p);
        }
        if (!new String(npyLe, 10, 20, StandardCharsets.ISO_8859_1).startsWith("{'descr'")) {
            throw new AssertionError("unexpected header");
        }
    }
}
