package dev.medsam.io.nifti;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** NIfTI readers never crash, hang or over-allocate on truncated, bit-flipped or lying files. */
class NiftiMangledInputTest {

    private static Path dir;
    private static byte[] nifti1;
    private static byte[] nifti2;

    /** Header fields of NIfTI-1 (offset, width) worth lying about. */
    private static final int[][] FIELDS1 = {{0, 4}, {40, 2}, {42, 2}, {44, 2}, {46, 2}, {48, 2}, {54, 2}, {70, 2},
        {72, 2}, {76, 4}, {80, 4}, {84, 4}, {88, 4}, {108, 4}, {112, 4}, {116, 4}, {124, 4}, {128, 4}, {252, 2},
        {254, 2}, {256, 4}, {260, 4}, {264, 4}, {268, 4}, {280, 4}, {284, 4}, {300, 4}, {316, 4}, {324, 4},
        {344, 4}, {348, 4}, {352, 4}, {356, 4}};
    /** The same for NIfTI-2. */
    private static final int[][] FIELDS2 = {{0, 4}, {4, 8}, {12, 2}, {14, 2}, {16, 8}, {24, 8}, {32, 8}, {40, 8},
        {48, 8}, {104, 8}, {112, 8}, {120, 8}, {168, 8}, {176, 8}, {184, 8}, {344, 4}, {348, 4}, {352, 8},
        {360, 8}, {376, 8}, {400, 8}, {408, 8}, {464, 8}, {540, 4}};

    @BeforeContainer
    static void makeFiles() throws IOException {
        dir = Files.createTempDirectory("nifti-mangle");
        double[] affine = {-2, 0.1f, 0, 90, 0, 2, 0.2f, -120, 0, 0, 3, -60};
        byte[] v = new byte[4 * 3 * 2 * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (i * 37);
        }
        MedicalImage a = MedicalImage.builder(DataType.INT16, 4, 3, 2).affine(Affine.of(CoordinateSystem.RAS, affine))
                .data(ByteBuffer.wrap(v)).build();
        Path p = dir.resolve("base1.nii");
        NiftiWriter.write(a, p);
        nifti1 = withExtension(Files.readAllBytes(p));
        MedicalImage b = MedicalImage.builder(DataType.FLOAT32, 3, 2, 2).affine(Affine.of(CoordinateSystem.RAS, affine))
                .data(ByteBuffer.wrap(v)).build();
        Path q = dir.resolve("base2.nii");
        NiftiWriter.builder().version(NiftiVersion.NIFTI2).byteOrder(ByteOrder.BIG_ENDIAN).build().writeImage(b, q);
        nifti2 = Files.readAllBytes(q);
    }

    /** Inserts one 16-byte comment extension (code 6) before the data, moving vox_offset to 368. */
    private static byte[] withExtension(byte[] file) {
        byte[] out = new byte[file.length + 16];
        System.arraycopy(file, 0, out, 0, 352);
        System.arraycopy(file, 352, out, 368, file.length - 352);
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(108, 368);
        b.put(348, (byte) 1);
        b.putInt(352, 16);
        b.putInt(356, 6);
        return out;
    }

    @AfterContainer
    static void removeFiles() throws IOException {
        TempFolders.deleteTree(dir);
    }

    @Property(tries = 1)
    void baseFilesAreValid() throws Exception {
        Path p = dir.resolve("check.nii");
        Files.write(p, nifti1);
        MedicalImage img = NiftiReader.read(p, w -> {
            throw new AssertionError(w);
        });
        if (!"6:16".equals(img.attributes().get("nifti.extensions"))) {
            throw new AssertionError("extension not seen: " + img.attributes());
        }
        Files.write(p, nifti2);
        NiftiReader.read(p);
        Files.write(p, Mangle.gzip(nifti1));
        NiftiReader.read(p);
    }

    @Provide
    Arbitrary<byte[]> bases() {
        return Arbitraries.of(1, 2, 3).map(i -> i == 1 ? nifti1 : i == 2 ? nifti2 : Mangle.gzip(nifti1));
    }

    @Property(tries = 1500)
    void genericMutationsOnlyRaiseIOException(@ForAll("bases") byte[] base, @ForAll("genericOps") List<Mangle.Op> ops)
            throws IOException {
        Mangle.check(dir.resolve("g.nii"), Mangle.apply(base, ops), Mangle.anyFormat());
    }

    @Provide
    Arbitrary<List<Mangle.Op>> genericOps() {
        return Mangle.generic();
    }

    record FieldCase(int version, List<Mangle.Op> ops, boolean gzip) {
    }

    @Provide
    Arbitrary<FieldCase> fieldCases() {
        return Arbitraries.of(1, 2).flatMap(v -> Combinators.combine(
                Mangle.fields(v == 1 ? FIELDS1 : FIELDS2, v == 2), Arbitraries.of(true, false))
                .as((ops, gz) -> new FieldCase(v, ops, gz)));
    }

    @Property(tries = 1500)
    void lyingHeaderFieldsOnlyRaiseIOException(@ForAll("fieldCases") FieldCase c) throws IOException {
        byte[] b = Mangle.apply(c.version == 1 ? nifti1 : nifti2, c.ops);
        if (c.gzip) {
            b = Mangle.gzip(b);
        }
        Mangle.check(dir.resolve(c.gzip ? "f.nii.gz" : "f.nii"), b, NiftiReader::read);
    }

    @Property(tries = 300)
    void inspectOnlyRaisesIOException(@ForAll("fieldCases") FieldCase c) throws IOException {
        Mangle.check(dir.resolve("i.nii"), Mangle.apply(c.version == 1 ? nifti1 : nifti2, c.ops),
                MedicalImages::inspect);
    }

    @Property(tries = 200)
    void hugeDimsInATinyGzipAreRefusedBeforeAllocating(@ForAll("dims") long[] dims) throws IOException {
        // A valid header claiming up to 2^31 voxels in front of a few bytes: must fail fast, allocation-free.
        ByteBuffer b = ByteBuffer.wrap(nifti1.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(40, (short) 3);
        for (int i = 0; i < 3; i++) {
            b.putShort(42 + 2 * i, (short) dims[i]);
        }
        Mangle.check(dir.resolve("h.nii.gz"), Mangle.gzip(b.array()), NiftiReader::read);
        Mangle.check(dir.resolve("h.nii"), b.array(), NiftiReader::read);
    }

    @Provide
    Arbitrary<long[]> dims() {
        return Arbitraries.longs().between(1, 32767).array(long[].class).ofSize(3);
    }
}
