package dev.medsam.io.testing;

import dev.medsam.io.MedicalImages;
import dev.medsam.io.files.internal.Limits;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mangling of valid files for the "readers never crash" properties, and the check that a reader, given a
 * mangled file, either reads it or throws an IOException that names the file, in bounded time and without an
 * allocation the file cannot justify.
 */
public final class Mangle {

    /** One change to a file's bytes. Positions are taken modulo the length, so any int works. */
    public interface Op {
        byte[] apply(byte[] in);
    }

    record Truncate(int at) implements Op {
        public byte[] apply(byte[] in) {
            return Arrays.copyOf(in, in.length == 0 ? 0 : Math.floorMod(at, in.length));
        }
    }

    record FlipBit(int at, int bit) implements Op {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            if (out.length > 0) {
                out[Math.floorMod(at, out.length)] ^= (byte) (1 << Math.floorMod(bit, 8));
            }
            return out;
        }
    }

    record SetByte(int at, byte value) implements Op {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            if (out.length > 0) {
                out[Math.floorMod(at, out.length)] = value;
            }
            return out;
        }
    }

    /** Writes {@code value} as a {@code width}-byte integer (or float when {@code asFloat}) at {@code offset}. */
    public record SetField(int offset, int width, long value, boolean bigEndian, boolean asFloat) implements Op {
        public byte[] apply(byte[] in) {
            if (offset < 0 || offset + width > in.length) {
                return in;
            }
            byte[] out = in.clone();
            ByteBuffer b = ByteBuffer.wrap(out).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            if (asFloat && width == 4) {
                b.putFloat(offset, FLOATS[(int) Math.floorMod(value, (long) FLOATS.length)]);
            } else if (asFloat && width == 8) {
                b.putDouble(offset, FLOATS[(int) Math.floorMod(value, (long) FLOATS.length)]);
            } else {
                switch (width) {
                    case 1 -> b.put(offset, (byte) value);
                    case 2 -> b.putShort(offset, (short) value);
                    case 4 -> b.putInt(offset, (int) value);
                    default -> b.putLong(offset, value);
                }
            }
            return out;
        }
    }

    record Insert(int at, byte[] bytes) implements Op {
        public byte[] apply(byte[] in) {
            int p = in.length == 0 ? 0 : Math.floorMod(at, in.length + 1);
            byte[] out = new byte[in.length + bytes.length];
            System.arraycopy(in, 0, out, 0, p);
            System.arraycopy(bytes, 0, out, p, bytes.length);
            System.arraycopy(in, p, out, p + bytes.length, in.length - p);
            return out;
        }
    }

    record Delete(int at, int count) implements Op {
        public byte[] apply(byte[] in) {
            if (in.length == 0) {
                return in;
            }
            int p = Math.floorMod(at, in.length);
            int n = Math.min(Math.floorMod(count, 64) + 1, in.length - p);
            byte[] out = new byte[in.length - n];
            System.arraycopy(in, 0, out, 0, p);
            System.arraycopy(in, p + n, out, p, in.length - p - n);
            return out;
        }
    }

    static final float[] FLOATS = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, 1e20f, 352f, 353f, 4096f, 1e9f, 0.5f, 2f};

    /** Interesting integers: boundaries of every width, and a few sizes. */
    public static Arbitrary<Long> extremes() {
        return Arbitraries.oneOf(Arbitraries.of(0L, 1L, -1L, 2L, 3L, 7L, 8L, 127L, 128L, 255L, 256L, 32767L, 32768L,
                        -32768L, 65535L, 65536L, (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE, 4294967295L,
                        Long.MAX_VALUE, Long.MIN_VALUE, 348L, 540L, 352L, 544L, 1000000L),
                Arbitraries.longs());
    }

    /** Generic mutations of a file of any format: 1 to 4 of them. */
    public static Arbitrary<List<Op>> generic() {
        Arbitrary<Integer> pos = Arbitraries.integers();
        Arbitrary<Op> op = Arbitraries.oneOf(
                pos.map(Truncate::new),
                Combinators.combine(pos, Arbitraries.integers().between(0, 7)).as(FlipBit::new),
                Combinators.combine(pos, Arbitraries.bytes()).as(SetByte::new),
                Combinators.combine(Arbitraries.integers().between(0, 700), Arbitraries.of(1, 2, 4, 8), extremes(),
                        Arbitraries.of(true, false), Arbitraries.of(true, false)).as(SetField::new),
                Combinators.combine(pos, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40))
                        .as(Insert::new),
                Combinators.combine(pos, Arbitraries.integers()).as(Delete::new));
        return op.list().ofMinSize(1).ofMaxSize(4);
    }

    /** Field writes at the given offsets (a format's header fields), with extreme values. */
    public static Arbitrary<List<Op>> fields(int[][] offsetsAndWidths, boolean bigEndian) {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.of(offsetsAndWidths), extremes(),
                Arbitraries.of(true, false)).as((ow, v, f) -> new SetField(ow[0], ow[1], v, bigEndian, f));
        return op.list().ofMinSize(1).ofMaxSize(3);
    }

    public static byte[] apply(byte[] base, List<Op> ops) {
        byte[] b = base;
        for (Op op : ops) {
            b = op.apply(b);
        }
        return b;
    }

    public static byte[] gzip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** What a reader does with a file. */
    @FunctionalInterface
    public interface Reader {
        void read(Path file) throws Exception;
    }

    /**
     * Writes {@code bytes} to {@code file} and runs {@code reader} on it: it must succeed, or fail with an
     * IOException whose message names the file; within 20 s; allocating (in its thread) at most twice what the
     * file could decode to plus 48 MiB of working room.
     */
    public static void check(Path file, byte[] bytes, Reader reader) throws IOException {
        check(file, bytes, reader, READ_TIMEOUT);
    }

    /** {@link #check(Path, byte[], Reader)} with another time limit (the self-test's). */
    static void check(Path file, byte[] bytes, Reader reader, Duration timeout) throws IOException {
        Files.write(file, bytes);
        long budget = 2 * Limits.inflateBound(bytes.length) + (48L << 20);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        onReaderThread(() -> {
            long tid = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(tid);
            try {
                reader.read(file);
            } catch (IOException e) {
                String m = e.getMessage();
                assertTrue(m != null && m.contains(file.toString()), "message does not name the file: " + e);
            } catch (Throwable t) {
                fail("reader threw " + t + " instead of an IOException", t);
            }
            long used = mx.getThreadAllocatedBytes(tid) - before;
            assertTrue(used <= budget, "allocated " + used + " bytes for a " + bytes.length + "-byte file (budget "
                    + budget + ")");
            return null;
        }, timeout);
    }

    /**
     * The thread the readers run on, kept from one check to the next: the properties make tens of thousands of
     * checks, and JUnit's assertTimeoutPreemptively starts and stops a thread for each, which took half of their
     * time. A reader that overruns is abandoned with its thread (it cannot be stopped), and the next check gets
     * a new one.
     */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    private static ExecutorService readerThread = newReaderThread();

    private static ExecutorService newReaderThread() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mangled-file-reader");
            t.setDaemon(true);
            return t;
        });
    }

    private static synchronized void onReaderThread(Callable<Void> check, Duration timeout) {
        Future<Void> run = readerThread.submit(check);
        try {
            run.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error; // the assertion failures of the check, as they were raised
            }
            throw new AssertionError("the check itself failed", e.getCause());
        } catch (TimeoutException e) {
            run.cancel(true);
            readerThread.shutdownNow();
            readerThread = newReaderThread();
            fail("the reader took more than " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the reader", e);
        }
    }

    /** The reader every file goes through first: detection and reading by content. */
    public static Reader anyFormat() {
        return MedicalImages::read;
    }

    private Mangle() {
    }
}
