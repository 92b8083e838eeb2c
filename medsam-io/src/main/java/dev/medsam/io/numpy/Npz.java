package dev.medsam.io.numpy;

import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.files.internal.Limits;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npz} archives: a zip file of {@code .npy} members, stored or DEFLATE-
 * compressed ({@code np.savez} / {@code np.savez_compressed}). Keys are member names without {@code .npy},
 * as NumPy's {@code NpzFile} gives them; members that are not {@code .npy} files are skipped with a warning.
 * Each member's CRC-32 is checked, as Python's zipfile does.
 *
 * <p>Thread-safe (stateless). Writes are atomic.
 * <pre>{@code
 * Map<String, NpyArray> arrays = Npz.read(Path.of("case.npz"));
 * NpyArray imgs = arrays.get("imgs");
 * }</pre>
 */
public final class Npz {

    private static final System.Logger LOG = System.getLogger(Npz.class.getName());

    /** One member of an archive, as its zip entry and .npy header describe it (values not read). */
    public record Member(String key, String entryName, boolean compressed, long compressedSize, long size,
                         NpyHeader header) {
    }

    private Npz() {
    }

    /** All arrays of {@code file}, keyed by name, in archive order. */
    public static Map<String, NpyArray> read(Path file) throws IOException {
        return read(file, w -> LOG.log(System.Logger.Level.WARNING, w));
    }

    /**
     * All arrays of {@code file}, keyed by name, in archive order; recoverable problems (skipped members,
     * duplicate names) go to {@code warnings}.
     *
     * @throws MalformedImageException if the archive or a member is corrupt or not a supported array
     */
    public static Map<String, NpyArray> read(Path file, Consumer<String> warnings) throws IOException {
        Objects.requireNonNull(warnings, "warnings");
        Map<String, NpyArray> out = new LinkedHashMap<>();
        withZip(file, zip -> {
            // one budget for all members: many members each within its own bound cannot add up past the file's
            long size = Files.size(file);
            Limits.Budget budget = new Limits.Budget(file, Limits.inflateBound(size), "a " + size + "-byte archive");
            for (ZipEntry e : npyEntries(file, zip, warnings)) {
                String key = key(e.getName());
                if (out.containsKey(key)) {
                    warnings.accept(file + ": member '" + e.getName() + "' appears twice; the last one is used");
                }
                out.put(key, readMember(file, zip, e, budget));
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /**
     * The array {@code key} of {@code file}.
     *
     * @throws MalformedImageException if there is no such array (the message lists the keys) or it is corrupt
     */
    public static NpyArray read(Path file, String key) throws IOException {
        Objects.requireNonNull(key, "key");
        NpyArray[] found = {null};
        withZip(file, zip -> {
            ZipEntry match = null;
            List<String> keys = new ArrayList<>();
            for (ZipEntry e : npyEntries(file, zip, w -> { })) {
                keys.add(key(e.getName()));
                if (key(e.getName()).equals(key)) {
                    match = e;
                }
            }
            if (match == null) {
                throw new MalformedImageException(file, "has no array '" + key + "' (it has " + keys + ")");
            }
            found[0] = readMember(file, zip, match, new Limits.Budget(file, Long.MAX_VALUE, "the archive"));
        });
        return found[0];
    }

    /** The members of {@code file} with their headers, without reading the values. */
    public static List<Member> members(Path file) throws IOException {
        List<Member> out = new ArrayList<>();
        withZip(file, zip -> {
            for (ZipEntry e : npyEntries(file, zip, w -> { })) {
                try (InputStream in = new BufferedInputStream(zip.getInputStream(e), 1 << 12)) {
                    NpyHeader h = Npy.readHeader(in, file, e.getName(), bound(e));
                    out.add(new Member(key(e.getName()), e.getName(), e.getMethod() == ZipEntry.DEFLATED,
                            e.getCompressedSize(), e.getSize(), h));
                }
            }
        });
        return List.copyOf(out);
    }

    /**
     * Writes {@code arrays} (name to array, written in iteration order as {@code name.npy}) as an archive,
     * DEFLATE-compressed ({@code np.savez_compressed}) or stored ({@code np.savez}).
     *
     * @throws IllegalArgumentException if a name is empty or contains '/'
     */
    public static void write(Path file, Map<String, NpyArray> arrays, boolean compressed) throws IOException {
        Objects.requireNonNull(arrays, "arrays");
        for (String name : arrays.keySet()) {
            if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
                throw new IllegalArgumentException("npz array name '" + name + "' must be non-empty without '/'");
            }
        }
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, NpyArray> a : arrays.entrySet()) {
                ZipEntry e = new ZipEntry(a.getKey() + ".npy");
                e.setTimeLocal(LocalDateTime.of(1980, 1, 1, 0, 0)); // reproducible archives
                if (compressed) {
                    e.setMethod(ZipEntry.DEFLATED);
                } else {
                    // STORED entries need size and CRC before the data: serialise once to count and checksum.
                    CRC32 crc = new CRC32();
                    CountingSink sink = new CountingSink();
                    Npy.writeTo(new CheckedOutputStream(sink, crc), a.getValue(), ByteOrder.LITTLE_ENDIAN, false);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(sink.count);
                    e.setCompressedSize(sink.count);
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                Npy.writeTo(zip, a.getValue(), ByteOrder.LITTLE_ENDIAN, false);
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    // ---- internals ----

    @FunctionalInterface
    private interface ZipBody {
        void run(ZipFile zip) throws IOException;
    }

    private static void withZip(Path file, ZipBody body) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            // ZipFile's own message for a missing file does not say which
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        Limits.requireRegularFile(file);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new MalformedImageException(file, "not a readable zip (.npz) archive: " + e.getMessage(), e);
        }
        try (zip) {
            body.run(zip);
        } catch (MalformedImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new MalformedImageException(file, "corrupt zip (.npz) archive: " + e, e);
        }
    }

    private static List<ZipEntry> npyEntries(Path file, ZipFile zip, Consumer<String> warnings) {
        List<ZipEntry> out = new ArrayList<>();
        Enumeration<? extends ZipEntry> en = zip.entries();
        while (en.hasMoreElements()) {
            ZipEntry e = en.nextElement();
            if (e.isDirectory()) {
                continue;
            }
            if (!e.getName().endsWith(".npy")) {
                warnings.accept(file + ": member '" + e.getName() + "' is not a .npy array; skipped");
                continue;
            }
            out.add(e);
        }
        return out;
    }

    static String key(String entryName) {
        return entryName.substring(0, entryName.length() - ".npy".length());
    }

    /** The most bytes a member can decode to: its stored size, or what DEFLATE can make of its compressed size. */
    private static long bound(ZipEntry e) {
        long c = e.getCompressedSize();
        if (c < 0) {
            return Long.MAX_VALUE;
        }
        long b = e.getMethod() == ZipEntry.STORED ? c : Limits.inflateBound(c);
        return e.getSize() >= 0 ? Math.min(b, e.getSize()) : b;
    }

    private static NpyArray readMember(Path file, ZipFile zip, ZipEntry e, Limits.Budget budget) throws IOException {
        String name = e.getName();
        long bound = bound(e);
        CRC32 crc = new CRC32();
        try (InputStream raw = zip.getInputStream(e);
             CheckedInputStream in = new CheckedInputStream(new BufferedInputStream(raw, 1 << 16), crc)) {
            NpyHeader h = Npy.readHeader(in, file, name, bound);
            long declared = h.dtype().bytes();
            for (int d : h.shape()) {
                declared = Limits.multiply(declared, d);
            }
            budget.charge(declared, "member '" + name + "'");
            long available = bound - h.dataOffset();
            NpyArray a = Npy.readBody(in, h, file, name, available,
                    "the member holds at most " + Math.max(0, available) + " bytes after its header ("
                            + (e.getMethod() == ZipEntry.STORED ? "stored" : "deflated") + ", "
                            + e.getCompressedSize() + " bytes in the archive, " + e.getSize() + " declared)");
            // Read to the end of the member so that the CRC covers all of it.
            byte[] sink = new byte[1 << 16];
            long total = h.dataOffset() + a.data().remaining();
            int n;
            long arrayEnd = total;
            while ((n = in.read(sink)) >= 0) {
                total += n;
                if (total - arrayEnd > Limits.TRAILING_CHECK_BYTES) {
                    // not inflated to the end: a member is its header and its array, nothing more
                    throw new MalformedImageException(file, "member '" + name + "' has more than "
                            + Limits.TRAILING_CHECK_BYTES + " bytes after its array");
                }
                if (total > bound) {
                    throw new MalformedImageException(file, "member '" + name + "' decodes to more than its "
                            + bound + " bytes");
                }
            }
            if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
                throw new MalformedImageException(file, "member '" + name + "' is corrupt: CRC-32 "
                        + Long.toHexString(crc.getValue()) + " does not match the archive's "
                        + Long.toHexString(e.getCrc()));
            }
            return a;
        } catch (MalformedImageException ex) {
            throw ex;
        } catch (IOException ex) {
            throw new MalformedImageException(file, "member '" + name + "' cannot be decompressed: " + ex.getMessage(), ex);
        }
    }

    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
