package dev.medsam.io.numpy;

import dev.medsam.core.testing.TempFolders;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** write -> read is lossless for .npy and .npz: random dtypes, shapes (empty and 0-d too), byte and memory orders. */
class NpyRoundTripTest {

    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("npy-rt");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        TempFolders.deleteTree(dir);
    }

    record Case(NpyDtype dtype, int[] shape, long seed, ByteOrder order, boolean fortran) {
        @Override
        public String toString() {
            return dtype + " " + Arrays.toString(shape) + " " + order + (fortran ? " F" : " C");
        }

        NpyArray array() {
            long n = Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b);
            byte[] b = new byte[(int) n * dtype.bytes()];
            new Random(seed).nextBytes(b);
            if (dtype == NpyDtype.BOOL) {
                for (int i = 0; i < b.length; i++) {
                    b[i] &= 1;
                }
            }
            return NpyArray.of(dtype, shape, ByteBuffer.wrap(b));
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<int[]> shapes = Arbitraries.integers().between(0, 5).flatMap(rank ->
                Arbitraries.integers().between(0, 6).array(int[].class).ofSize(rank));
        return Combinators.combine(Arbitraries.of(NpyDtype.class), shapes, Arbitraries.longs(),
                Arbitraries.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN), Arbitraries.of(true, false))
                .as(Case::new);
    }

    @Property(tries = 400)
    void npyWriteThenReadIsLossless(@ForAll("cases") Case c) throws IOException {
        NpyArray a = c.array();
        Path file = dir.resolve("a.npy");
        Npy.write(file, a, c.order, c.fortran);
        NpyHeader h = Npy.readHeader(file);
        assertEquals(c.fortran, h.fortranOrder());
        assertEquals(c.order == ByteOrder.BIG_ENDIAN && c.dtype.bytes() > 1, h.bigEndian());
        assertEquals(0, h.dataOffset() % 64, "data aligned to 64 bytes as NumPy writes it");
        NpyArray back = Npy.read(file);
        assertEquals(a.dtype(), back.dtype());
        assertArrayEquals(a.shape(), back.shape());
        assertEquals(a.data(), back.data(), "values in C order");
        assertEquals(h.dataOffset() + a.data().remaining(), Files.size(file));
    }

    @Property(tries = 100)
    void npzWriteThenReadIsLossless(@ForAll("cases") Case c1, @ForAll("cases") Case c2, @ForAll boolean compressed)
            throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("first", c1.array());
        arrays.put("second_one", c2.array());
        Path file = dir.resolve("a.npz");
        Npz.write(file, arrays, compressed);
        Map<String, NpyArray> back = Npz.read(file);
        assertEquals(List.of("first", "second_one"), List.copyOf(back.keySet()));
        for (String k : arrays.keySet()) {
            assertEquals(arrays.get(k).dtype(), back.get(k).dtype());
            assertArrayEquals(arrays.get(k).shape(), back.get(k).shape());
            assertEquals(arrays.get(k).data(), back.get(k).data());
        }
        for (Npz.Member m : Npz.members(file)) {
            assertEquals(compressed, m.compressed());
        }
    }
}
