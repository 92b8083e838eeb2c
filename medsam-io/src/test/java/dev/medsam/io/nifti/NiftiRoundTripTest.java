package dev.medsam.io.nifti;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Rescale;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** write -> read is lossless for NIfTI: random shapes, types, byte orders, versions, affines and scaling. */
class NiftiRoundTripTest {

    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("nifti-rt");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One random case. */
    record Case(DataType type, int components, int[] dims, long seed, ByteOrder order, NiftiVersion version,
                boolean gzip, double[] quaternion, double[] zooms, boolean flip, double[] offset, float slope,
                float inter) {
        @Override
        public String toString() {
            return type + "x" + components + " " + Arrays.toString(dims) + " " + order + " " + version
                    + (gzip ? " gz" : "") + " q" + Arrays.toString(quaternion) + " z" + Arrays.toString(zooms)
                    + (flip ? " flipped" : "") + " slope " + slope + " inter " + inter;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<DataType> types = Arbitraries.of(Arrays.stream(DataType.values())
                .filter(t -> t != DataType.FLOAT16).toArray(DataType[]::new));
        Arbitrary<int[]> dims = Arbitraries.integers().between(1, 5).flatMap(rank ->
                Arbitraries.integers().between(1, 7).array(int[].class).ofSize(rank));
        Arbitrary<double[]> quat = Arbitraries.doubles().between(-1, 1).array(double[].class).ofSize(4);
        Arbitrary<double[]> zooms = Arbitraries.doubles().between(0.1, 5).array(double[].class).ofSize(3);
        Arbitrary<double[]> offsets = Arbitraries.doubles().between(-300, 300).array(double[].class).ofSize(3);
        Arbitrary<float[]> scaling = Combinators.combine(Arbitraries.floats().between(-4, 4),
                Arbitraries.floats().between(-2000, 2000), Arbitraries.integers().between(0, 2)).as((s, i, k) ->
                k == 0 || s == 0 ? new float[] {1, 0} : new float[] {s, i});
        return Combinators.combine(types, Arbitraries.integers().between(0, 2), dims, Arbitraries.longs(),
                Arbitraries.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN),
                Arbitraries.of(NiftiVersion.NIFTI1, NiftiVersion.NIFTI2), Arbitraries.of(true, false),
                quat).as((t, c, d, seed, o, v, gz, q) -> new Object[] {t, c, d, seed, o, v, gz, q})
                .flatMap(a -> Combinators.combine(zooms, Arbitraries.of(true, false), offsets, scaling)
                        .as((z, flip, off, sc) -> {
                            DataType t = (DataType) a[0];
                            int comps = t == DataType.UINT8 ? new int[] {1, 3, 4}[(Integer) a[1]] : 1;
                            return new Case(t, comps, (int[]) a[2], (Long) a[3], (ByteOrder) a[4],
                                    (NiftiVersion) a[5], (Boolean) a[6], (double[]) a[7], z, flip, off, sc[0], sc[1]);
                        }));
    }

    @Property(tries = 300)
    void writeThenReadIsLossless(@ForAll("cases") Case c) throws Exception {
        MedicalImage image = image(c);
        Path file = dir.resolve("rt" + (c.gzip ? ".nii.gz" : ".nii"));
        NiftiWriter.builder().byteOrder(c.order).version(c.version).build().writeImage(image, file);
        MedicalImage back = NiftiReader.read(file, w -> {
            throw new AssertionError("unexpected warning: " + w);
        });
        assertArrayEquals(image.dims(), back.dims(), "dims");
        assertEquals(image.dataType(), back.dataType(), "type");
        assertEquals(image.components(), back.components(), "components");
        assertEquals(image.data(), back.data(), "stored bytes");
        assertEquals(image.rescale(), back.rescale(), "rescale");
        // The sform holds the affine; its values were chosen float32-exact, so nothing is rounded.
        assertEquals(image.affine(CoordinateSystem.RAS), back.affine(CoordinateSystem.RAS), "affine");
        assertEquals(c.version == NiftiVersion.NIFTI1 ? "1" : "2", back.attributes().get("nifti.version"));
        assertEquals(c.order == ByteOrder.BIG_ENDIAN ? "big" : "little", back.attributes().get("nifti.byte_order"));
        // The qform is the same rotation, scaled by pixdim with qfac. NIfTI-1 stores b, c, d as float32 and
        // recomputes w = sqrt(1 - b^2 - c^2 - d^2), which loses precision when w is small (up to ~4e-4 in the
        // rotation when w is near 0): hence 1e-3 of the rotation, scaled by the column's voxel size.
        NiftiHeader h = NiftiReferenceTest.header(file);
        double[] q = h.qformMatrix();
        Affine ras = image.affine(CoordinateSystem.RAS);
        double[] a = ras.toArray();
        double[] zoom = ras.spacing();
        for (int i = 0; i < 16; i++) {
            double scale = i % 4 < 3 && i < 12 ? zoom[i % 4] : Math.abs(a[i]);
            assertEquals(a[i], q[i], 1e-3 * (1 + scale), "qform element " + i + " " + Arrays.toString(q));
        }
        assertEquals(image.affine(CoordinateSystem.LPS).determinant() < 0 ? -1.0 : 1.0, h.pixdim[0], "qfac");
        // Written again on its own grid, the file's header geometry is reproduced exactly.
        Path again = dir.resolve("again" + (c.gzip ? ".nii.gz" : ".nii"));
        NiftiWriter.builder().byteOrder(c.order).version(c.version).build().writeImage(back, again);
        NiftiHeader h2 = NiftiReferenceTest.header(again);
        assertArrayEquals(h.srowX, h2.srowX, 0);
        assertEquals(h.quaternB, h2.quaternB, 0);
        assertEquals(h.quaternC, h2.quaternC, 0);
        assertEquals(h.quaternD, h2.quaternD, 0);
        assertArrayEquals(Arrays.copyOf(h.pixdim, 4), Arrays.copyOf(h2.pixdim, 4), 0);
        assertTrue(Files.size(file) > 0);
    }

    static MedicalImage image(Case c) {
        Random r = new Random(c.seed);
        long values = Arrays.stream(c.dims).asLongStream().reduce(1, (x, y) -> x * y) * c.components;
        byte[] data = new byte[(int) values * c.type.bytes()];
        r.nextBytes(data);
        double[] q = c.quaternion.clone();
        double n = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
        if (n < 1e-3) {
            q = new double[] {1, 0, 0, 0};
            n = 1;
        }
        double w = q[0] / n;
        double x = q[1] / n;
        double y = q[2] / n;
        double z = q[3] / n;
        double[][] rot = {
            {1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
            {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
            {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}};
        double[] m = new double[16];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                double v = rot[row][col] * c.zooms[col] * (c.flip && col == 2 ? -1 : 1);
                m[row * 4 + col] = (float) v; // float32-exact, so NIfTI-1 stores it unrounded
            }
            m[row * 4 + 3] = (float) c.offset[row];
        }
        m[15] = 1;
        MedicalImage.Builder b = MedicalImage.builder(c.type, c.dims).components(c.components)
                .affine(Affine.of(CoordinateSystem.RAS, m));
        if (c.slope != 1 || c.inter != 0) {
            b.rescale(new Rescale(c.slope, c.inter));
        }
        return b.data(ByteBuffer.wrap(data)).build();
    }
}
