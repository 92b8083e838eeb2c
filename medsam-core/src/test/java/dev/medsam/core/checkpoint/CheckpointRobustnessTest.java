package dev.medsam.core.checkpoint;

import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.testing.PickleWriter.Tensor;
import dev.medsam.core.testing.PickleWriter;
import dev.medsam.core.testing.RequiresSharedFixtures;
import dev.medsam.core.testing.SafetensorsBuilder;
import dev.medsam.core.testing.TempFolders;
import dev.medsam.core.testing.TorchZipBuilder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Readers never crash on mangled input: truncated, bit-flipped, overwritten and random files, and mangled
 * pickles and safetensors headers re-packed so that the checksums cannot catch them first. Every case must
 * end within a time bound, either with a {@link CheckpointException} that names the file or with tensors that
 * can all be read, and must allocate no more heap than a small multiple of the file's size.
 */
class CheckpointRobustnessTest {

    /** Per-case time bound: generous for a loaded 2-core CI machine; the real cost is milliseconds. */
    private static final long TIMEOUT_SECONDS = 20;
    /**
     * Heap allowance: bytes allocated (garbage included) per byte of file, plus a fixed allowance for the
     * reader's bookkeeping and exception messages. Pickles cost the most: a one-byte opcode can create an
     * object and a stack slot; worstCasePicklesStayWithinTheAllowance measured up to 36 bytes per byte.
     */
    private static final long ALLOC_PER_FILE_BYTE = 48;
    private static final long ALLOC_FIXED = 1L << 20;

    private static Path dir;
    private static ExecutorService worker;
    private static final AtomicInteger counter = new AtomicInteger();

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("checkpoint-robustness");
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "checkpoint-reader");
            t.setDaemon(true); // a hung read must not keep the test JVM alive
            return t;
        });
    }

    @AfterContainer
    static void tearDown() throws IOException {
        worker.shutdownNow();
        TempFolders.deleteTree(dir);
    }

    // ------------------------------------------------------------------ seeds: small valid checkpoints

    enum Seed {
        PTH, PTH_ZIP64, SAFETENSORS;

        byte[] bytes() {
            switch (this) {
                case PTH:
                    return smallPth(false);
                case PTH_ZIP64:
                    return smallPth(true);
                default:
                    return smallSafetensors();
            }
        }
    }

    static final Map<String, Tensor> SMALL_TENSORS = smallTensors();

    private static Map<String, Tensor> smallTensors() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("module.w", new Tensor("FloatStorage", "0", 24, 0, new long[] {4, 6}, new long[] {6, 1}));
        t.put("module.w_t", new Tensor("FloatStorage", "0", 24, 0, new long[] {6, 4}, new long[] {1, 6}));
        t.put("module.b", new Tensor("FloatStorage", "0", 24, 3, new long[] {5}, new long[] {2}));
        t.put("module.h", new Tensor("HalfStorage", "1", 8, 0, new long[] {2, 4}, new long[] {4, 1}));
        t.put("module.bf", new Tensor("BFloat16Storage", "2", 4, 1, new long[] {3}, new long[] {1}));
        return t;
    }

    static byte[] smallPickle() {
        return new PickleWriter().proto(2).emptyDict().mark().str("epoch").integer(3)
                .str("model").stateDict(SMALL_TENSORS).setItems().stop().bytes();
    }

    static Map<String, byte[]> smallStorages() {
        float[] v = new float[24];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i);
        }
        Map<String, byte[]> s = new LinkedHashMap<>();
        s.put("0", SafetensorsBuilder.f32(v));
        s.put("1", SafetensorsBuilder.u16(0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x1234));
        s.put("2", SafetensorsBuilder.u16(0x3F80, 0xC040, 0x3EAB, 0x7F80));
        return s;
    }

    static byte[] smallPth(boolean zip64) {
        return TorchZipBuilder.checkpoint("small", smallPickle(), smallStorages(), "little").zip64(zip64).build();
    }

    static SafetensorsBuilder smallSafetensorsBuilder() {
        return new SafetensorsBuilder().metadata("format", "pt")
                .addF32("w", new int[] {4, 6}, new float[24])
                .add("h", "F16", new int[] {2, 4}, SafetensorsBuilder.u16(1, 2, 3, 4, 5, 6, 7, 8))
                .add("bf", "BF16", new int[] {3}, SafetensorsBuilder.u16(0x3F80, 0xC040, 0x3EAB))
                .addF32("s", new int[] {}, 1f);
    }

    static byte[] smallSafetensors() {
        return smallSafetensorsBuilder().build();
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 300)
    void truncatedFilesAreRefused(@ForAll Seed seed, @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double keep) throws Exception {
        byte[] full = seed.bytes();
        byte[] cut = java.util.Arrays.copyOf(full, (int) (keep * full.length));
        Outcome o = readMangled(cut);
        assertTrue(o.refused(), () -> seed + " truncated to " + cut.length + " of " + full.length + " bytes was accepted");
    }

    @Property(tries = 500)
    void bitFlippedFilesAreRefusedOrReadCleanly(@ForAll Seed seed,
                                                @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0) Integer> bits) throws Exception {
        byte[] b = seed.bytes();
        for (int bit : bits) {
            int at = bit % (b.length * 8);
            b[at / 8] ^= (byte) (1 << (at % 8));
        }
        readMangled(b);
    }

    @Property(tries = 300)
    void overwrittenBytesAreRefusedOrReadCleanly(@ForAll Seed seed, @ForAll @IntRange(min = 0) int position,
                                                 @ForAll @Size(min = 1, max = 16) byte[] junk) throws Exception {
        byte[] b = seed.bytes();
        int at = position % b.length;
        System.arraycopy(junk, 0, b, at, Math.min(junk.length, b.length - at));
        readMangled(b);
    }

    @Property(tries = 300)
    void randomFilesAreRefused(@ForAll("prefixes") byte[] prefix, @ForAll @Size(max = 4096) byte[] tail) throws Exception {
        byte[] b = new byte[prefix.length + tail.length];
        System.arraycopy(prefix, 0, b, 0, prefix.length);
        System.arraycopy(tail, 0, b, prefix.length, tail.length);
        readMangled(b);
    }

    /** Mangled pickles, re-zipped with correct CRCs so that they reach the unpickler. */
    @Property(tries = 500)
    void mangledPicklesAreRefusedOrReadCleanly(@ForAll("mangledPickles") byte[] pickle) throws Exception {
        readMangled(TorchZipBuilder.checkpoint("small", pickle, smallStorages(), "little").build());
    }

    /** Mangled safetensors headers, re-wrapped with the right header length. */
    @Property(tries = 300)
    void mangledSafetensorsHeadersAreRefusedOrReadCleanly(@ForAll("mangledHeaders") String header) throws Exception {
        readMangled(SafetensorsBuilder.file(header, smallSafetensorsBuilder().data()));
    }

    /** The real fixtures, cut or flipped (each case copies 22 MB, hence few tries). */
    @Property(tries = 12)
    @AddLifecycleHook(RequiresSharedFixtures.class)
    void mangledTinyFixturesAreRefused(@ForAll boolean pth, @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double where,
                                       @ForAll boolean truncate) throws Exception {
        Path source = Fixtures.samParity(pth ? "weights/tiny_sam.pth" : "weights/tiny_sam.safetensors");
        Path p = dir.resolve("fixture-" + counter.incrementAndGet() + (pth ? ".pth" : ".safetensors"));
        Files.copy(source, p, StandardCopyOption.REPLACE_EXISTING);
        long size = Files.size(p);
        long at = (long) (where * size);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            if (truncate) {
                ch.truncate(at);
            } else {
                ByteBuffer one = ByteBuffer.allocate(1);
                ch.read(one, at);
                one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
                ch.write(one, at);
            }
        }
        Outcome o = read(p, size);
        // A flip inside safetensors float data is undetectable (the format has no checksum); all else must fail.
        if (truncate || pth) {
            assertTrue(o.refused(), () -> "mangled fixture accepted: " + p + (truncate ? " truncated at " : " flipped at ") + at);
        }
        Files.delete(p);
    }

    /** The most allocation per pickle byte: one new container, memo entry or mark per opcode. */
    @Example
    void worstCasePicklesStayWithinTheAllowance() throws Exception {
        int n = 200_000;
        for (String pattern : List.of("]", "}", ")", "(", "]q\u0000", "]r\u0000\u0000\u0000\u0000", "N2", "}\u0094")) {
            byte[] unit = pattern.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            byte[] pickle = new byte[2 + n * unit.length + 1];
            pickle[0] = (byte) 0x80;
            pickle[1] = 4;
            for (int i = 0; i < n; i++) {
                System.arraycopy(unit, 0, pickle, 2 + i * unit.length, unit.length);
            }
            pickle[pickle.length - 1] = '.';
            Outcome o = readMangled(TorchZipBuilder.checkpoint("w", pickle, Map.of(), "little").build());
            assertTrue(o.refused(), pattern);
        }
    }

    /**
     * Issue 19, case 5: a chain of TUPLE1 opcodes makes one tuple per pickle byte (about 90 bytes of heap each
     * before the unpickler counted containers). It is refused with a message, within the allowance.
     */
    @Example
    void aChainOfOneByteContainersIsRefusedWithinTheAllowance() throws Exception {
        int n = 8 << 20;
        byte[] pickle = new byte[3 + n + 1];
        pickle[0] = (byte) 0x80;
        pickle[1] = 2;
        pickle[2] = 'N';
        java.util.Arrays.fill(pickle, 3, 3 + n, (byte) 0x85);
        pickle[pickle.length - 1] = '.';
        Outcome o = readMangled(TorchZipBuilder.checkpoint("t", pickle, Map.of(), "little").build());
        assertTrue(o.refused());
        assertTrue(o.message().contains("containers nest more than 100 deep"), o.message());
        // the same size in flat numbers (a boxed Long per two bytes) runs into the byte allowance instead
        for (int i = 2; i + 1 < 3 + n; i += 2) {
            pickle[i] = 'K';
            pickle[i + 1] = 1;
        }
        o = readMangled(TorchZipBuilder.checkpoint("t", pickle, Map.of(), "little").build());
        assertTrue(o.refused());
        assertTrue(o.message().contains("bytes of objects from"), o.message());
    }

    @Example
    void allocationIsMeasurable() {
        assertTrue(AllocationCounter.enabled(),
                "this JVM cannot measure per-thread allocation, so the heap bound would not be checked");
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<byte[]> prefixes() {
        return Arbitraries.of(
                new byte[0],
                new byte[] {'P', 'K', 3, 4},
                new byte[] {'P', 'K', 5, 6},
                new byte[] {(byte) 0x80, 2},
                new byte[] {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19},
                new byte[] {16, 0, 0, 0, 0, 0, 0, 0, '{'},
                new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, '{'});
    }

    @Provide
    Arbitrary<byte[]> mangledPickles() {
        byte[] base = smallPickle();
        Arbitrary<byte[]> flipped = Arbitraries.integers().between(0, base.length * 8 - 1).list().ofMinSize(1).ofMaxSize(6)
                .map(bits -> {
                    byte[] b = base.clone();
                    for (int bit : bits) {
                        b[bit / 8] ^= (byte) (1 << (bit % 8));
                    }
                    return b;
                });
        Arbitrary<byte[]> cut = Arbitraries.integers().between(0, base.length - 1)
                .map(n -> java.util.Arrays.copyOf(base, n));
        Arbitrary<byte[]> spliced = Arbitraries.integers().between(0, base.length - 1).tuple2()
                .map(t -> {
                    // Drop or duplicate a run of bytes: shifts opcodes against their arguments.
                    int a = Math.min(t.get1(), t.get2());
                    int b = Math.max(t.get1(), t.get2());
                    byte[] out = new byte[base.length + (b - a)];
                    System.arraycopy(base, 0, out, 0, b);
                    System.arraycopy(base, a, out, b, base.length - a);
                    return out;
                });
        // Opcode soup: valid opcodes with random arguments, then STOP.
        Arbitrary<byte[]> soup = Arbitraries.bytes().list().ofMaxSize(400).map(list -> {
            byte[] ops = {'(', ')', '0', '1', '2', 'N', (byte) 0x88, (byte) 0x89, 'K', 'J', 'M', 'X', (byte) 0x8c, 'q',
                'h', 'j', 'r', ']', '}', 'a', 'e', 's', 'u', 't', (byte) 0x85, (byte) 0x86, (byte) 0x87, 'R', 'b', 'Q',
                'c', (byte) 0x93, (byte) 0x94, (byte) 0x8a, (byte) 0x8b, 'G', 'l', 'd', (byte) 0x8f, (byte) 0x90, '.'};
            byte[] out = new byte[2 + list.size() + 1];
            out[0] = (byte) 0x80;
            out[1] = 2;
            for (int i = 0; i < list.size(); i++) {
                int v = list.get(i);
                out[2 + i] = i % 3 == 0 ? ops[Math.floorMod(v, ops.length)] : (byte) v;
            }
            out[out.length - 1] = '.';
            return out;
        });
        return Arbitraries.oneOf(flipped, cut, spliced, soup);
    }

    @Provide
    Arbitrary<String> mangledHeaders() {
        String base = smallSafetensorsBuilder().header();
        Arbitrary<String> charEdits = Arbitraries.integers().between(0, base.length() - 1).list().ofMinSize(1).ofMaxSize(4)
                .flatMap(positions -> Arbitraries.chars().with('{', '}', '[', ']', '"', ',', ':', '0', '9', '-', 'e', '.', '\\', ' ', 'x')
                        .list().ofSize(positions.size()).map(chars -> {
                            StringBuilder sb = new StringBuilder(base);
                            for (int i = 0; i < positions.size(); i++) {
                                sb.setCharAt(positions.get(i), chars.get(i));
                            }
                            return sb.toString();
                        }));
        Arbitrary<String> numbers = Arbitraries.of("0", "-1", "4294967296", "9223372036854775807", "18446744073709551616",
                "1e300", "2147483648", "1.0").flatMap(n -> Arbitraries.integers().between(0, 40).map(which -> {
                    // Replace the which-th number in the header.
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(base);
                    int found = 0;
                    while (m.find()) {
                        if (found++ == which) {
                            return base.substring(0, m.start()) + n + base.substring(m.end());
                        }
                    }
                    return base;
                }));
        Arbitrary<String> dtypes = Arbitraries.of("F64", "I8", "BOOL", "f32", "", "F32\\u0000")
                .map(d -> base.replaceFirst("\"F16\"", "\"" + d + "\""));
        return Arbitraries.oneOf(charEdits, numbers, dtypes);
    }

    // ------------------------------------------------------------------ the reading harness

    record Outcome(boolean refused, String message) {
    }

    private static volatile String lastMessage = "";

    /** The kind of refusal: the message without the file name, offsets and numbers. */
    private static String reason(String message, Path p) {
        String m = message.replace(p.toString(), "F").replaceAll("'[^']*'", "'_'").replaceAll("\\d+", "N");
        int cut = m.indexOf(" (");
        return (cut > 0 ? m.substring(0, cut) : m).substring(0, Math.min(70, cut > 0 ? cut : m.length()));
    }

    private Outcome readMangled(byte[] bytes) throws Exception {
        Path p = dir.resolve("case-" + counter.incrementAndGet() + ".bin");
        Files.write(p, bytes);
        try {
            return read(p, bytes.length);
        } finally {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Reads {@code p} on the worker thread within the time bound; the result's tensors are read completely.
     * Fails on any exception other than CheckpointException, on a message without the file name, on a timeout
     * and on allocation beyond the allowance.
     */
    private Outcome read(Path p, long fileSize) throws Exception {
        Future<long[]> f = worker.submit(() -> {
            long before = AllocationCounter.currentThread();
            long refused = 0;
            String message = "";
            try {
                StateDict sd = Checkpoints.read(p);
                for (TensorData t : sd.tensors()) {
                    java.nio.FloatBuffer v = t.values();
                    double sum = 0;
                    for (int i = 0; i < v.remaining(); i++) {
                        sum += v.get(i); // touches every value (mapped pages included)
                    }
                    if (sum == 42.4242) {
                        System.out.print(""); // keep the loop alive
                    }
                }
            } catch (CheckpointException e) {
                String m = e.getMessage();
                if (m == null || m.isBlank() || !m.contains(p.toString())) {
                    throw new AssertionError("CheckpointException without the file name: " + m, e);
                }
                refused = 1;
                message = m;
            }
            lastMessage = message;
            return new long[] {refused, AllocationCounter.currentThread() - before};
        });
        long[] r;
        try {
            r = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow();
            worker = Executors.newSingleThreadExecutor();
            fail("reading " + p + " (" + fileSize + " bytes) took more than " + TIMEOUT_SECONDS + " s");
            throw e;
        } catch (ExecutionException e) {
            throw new AssertionError("reading a mangled file must raise CheckpointException only, got "
                    + e.getCause(), e.getCause());
        }
        long allowed = ALLOC_PER_FILE_BYTE * fileSize + ALLOC_FIXED;
        assertTrue(r[1] <= allowed, () -> "reading " + fileSize + " bytes allocated " + r[1] + " bytes (allowed " + allowed + ")");
        // Shows in jqwik's report how the cases ended, so a generator that stopped reaching the parsers shows.
        Statistics.label("outcome").collect(r[0] == 1 ? "refused: " + reason(lastMessage, p) : "read");
        double used = (double) r[1] / allowed;
        Statistics.label("heap used of the allowance").collect(used < 0.1 ? "< 10%" : used < 0.5 ? "10-50%" : "> 50%");
        return new Outcome(r[0] == 1, lastMessage);
    }
}
