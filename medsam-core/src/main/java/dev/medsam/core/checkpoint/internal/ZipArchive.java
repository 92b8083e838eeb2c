package dev.medsam.core.checkpoint.internal;

import dev.medsam.core.checkpoint.CheckpointException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The central directory of a zip archive, read directly (not with java.util.zip) because tensor data must be
 * memory-mapped in place: PyTorch stores every entry uncompressed ("stored") and 64-byte aligned, and writes
 * its local headers with a data descriptor (sizes 0), so the sizes come from the central directory and the
 * data offset from the local header. Zip64 records are understood. Every offset and size is checked against
 * the file before use.
 */
final class ZipArchive {

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;
    private static final int EOCD_SIZE = 22;
    private static final int CENTRAL_SIZE = 46;
    private static final int LOCAL_SIZE = 30;
    private static final long U32_MAX = 0xFFFFFFFFL;

    /** One entry as the central directory describes it. */
    record Entry(String name, int method, int flags, long crc, long compressedSize, long size, long localHeaderOffset) {
    }

    private final FileRegions in;
    private final Map<String, Entry> entries;

    private ZipArchive(FileRegions in, Map<String, Entry> entries) {
        this.in = in;
        this.entries = entries;
    }

    /** Reads the central directory of {@code in}. */
    static ZipArchive open(FileRegions in) throws IOException {
        String file = in.file().toString();
        long size = in.size();
        if (size < EOCD_SIZE) {
            throw new CheckpointException(file + ": zip archive too short (" + size + " bytes) for its directory");
        }
        // The end-of-central-directory record is followed only by its comment (at most 65535 bytes).
        long tailStart = Math.max(0, size - EOCD_SIZE - 0xFFFF);
        ByteBuffer tail = in.read(tailStart, size - tailStart, "zip end of central directory");
        int eocd = -1;
        for (int p = tail.limit() - EOCD_SIZE; p >= 0; p--) {
            if (tail.getInt(p) == EOCD_SIG && p + EOCD_SIZE + u16(tail, p + 20) == tail.limit()) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) {
            throw new CheckpointException(file + ": no zip end-of-central-directory record; the file is truncated"
                    + " or not a zip archive");
        }
        long eocdOffset = tailStart + eocd;
        long count = u16(tail, eocd + 10);
        long cdSize = u32(tail, eocd + 12);
        long cdOffset = u32(tail, eocd + 16);
        long cdEnd = eocdOffset;
        if (u16(tail, eocd + 4) != 0 || u16(tail, eocd + 6) != 0) {
            throw new CheckpointException(file + ": multi-volume zip archives are not supported");
        }
        if (count == 0xFFFF || cdSize == U32_MAX || cdOffset == U32_MAX) {
            if (eocdOffset < 20) {
                throw new CheckpointException(file + ": zip64 fields without a zip64 locator");
            }
            ByteBuffer loc = in.read(eocdOffset - 20, 20, "zip64 end-of-central-directory locator");
            if (loc.getInt(0) != ZIP64_LOCATOR_SIG) {
                throw new CheckpointException(file + ": zip64 fields but no zip64 locator at offset "
                        + (eocdOffset - 20));
            }
            long z64 = loc.getLong(8);
            if (z64 < 0 || z64 > eocdOffset - 20 - 56) {
                throw new CheckpointException(file + ": zip64 end-of-central-directory offset " + z64
                        + " lies outside the file");
            }
            ByteBuffer rec = in.read(z64, 56, "zip64 end-of-central-directory record");
            if (rec.getInt(0) != ZIP64_EOCD_SIG) {
                throw new CheckpointException(file + ": no zip64 end-of-central-directory record at offset " + z64);
            }
            count = rec.getLong(32);
            cdSize = rec.getLong(40);
            cdOffset = rec.getLong(48);
            cdEnd = z64;
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > cdEnd || cdSize > cdEnd - cdOffset) {
            throw new CheckpointException(file + ": zip central directory (" + cdSize + " bytes at offset "
                    + cdOffset + ") lies outside the file; the file is truncated or corrupt");
        }
        if (count < 0 || count > cdSize / CENTRAL_SIZE) {
            throw new CheckpointException(file + ": zip directory claims " + count + " entries in " + cdSize
                    + " bytes");
        }
        ByteBuffer cd = in.read(cdOffset, cdSize, "zip central directory");
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p > cd.limit() - CENTRAL_SIZE || cd.getInt(p) != CENTRAL_SIG) {
                throw new CheckpointException(file + ": zip central directory entry " + i + " is corrupt (offset "
                        + (cdOffset + p) + ")");
            }
            int flags = u16(cd, p + 8);
            int method = u16(cd, p + 10);
            long crc = u32(cd, p + 16);
            long csize = u32(cd, p + 20);
            long usize = u32(cd, p + 24);
            int nameLen = u16(cd, p + 28);
            int extraLen = u16(cd, p + 30);
            int commentLen = u16(cd, p + 32);
            long lho = u32(cd, p + 42);
            int next = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
            if (next > cd.limit()) {
                throw new CheckpointException(file + ": zip central directory entry " + i + " runs past the"
                        + " directory (offset " + (cdOffset + p) + ")");
            }
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + CENTRAL_SIZE, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // Zip64 extended information replaces exactly those fields that hold 0xFFFFFFFF, in this order.
            int e = p + CENTRAL_SIZE + nameLen;
            int extraEnd = e + extraLen;
            while (e + 4 <= extraEnd) {
                int id = u16(cd, e);
                int len = u16(cd, e + 2);
                if (e + 4 + len > extraEnd) {
                    throw new CheckpointException(file + ": zip entry '" + name + "' has a corrupt extra field");
                }
                if (id == 0x0001) {
                    int q = e + 4;
                    int end = q + len;
                    if (usize == U32_MAX && q + 8 <= end) {
                        usize = cd.getLong(q);
                        q += 8;
                    }
                    if (csize == U32_MAX && q + 8 <= end) {
                        csize = cd.getLong(q);
                        q += 8;
                    }
                    if (lho == U32_MAX && q + 8 <= end) {
                        lho = cd.getLong(q);
                    }
                }
                e += 4 + len;
            }
            if (csize < 0 || usize < 0 || lho < 0) {
                throw new CheckpointException(file + ": zip entry '" + name + "' has a negative size or offset");
            }
            if (entries.putIfAbsent(name, new Entry(name, method, flags, crc, csize, usize, lho)) != null) {
                throw new CheckpointException(file + ": zip entry '" + name + "' occurs twice");
            }
            p = next;
        }
        return new ZipArchive(in, Collections.unmodifiableMap(entries));
    }

    /** Entries by name, in directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    Optional<Entry> find(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** Offset of the entry's data in the file, checked to be a readable uncompressed entry. */
    long dataOffset(Entry entry) throws IOException {
        String where = in.file() + ": zip entry '" + entry.name() + "'";
        if ((entry.flags() & 1) != 0) {
            throw new CheckpointException(where + " is encrypted");
        }
        if (entry.method() != 0 || entry.compressedSize() != entry.size()) {
            throw new CheckpointException(where + " is compressed (method " + entry.method() + "); PyTorch"
                    + " checkpoints store entries uncompressed, so the file was repacked or is corrupt");
        }
        if (entry.localHeaderOffset() > in.size() - LOCAL_SIZE) {
            throw new CheckpointException(where + " has its local header at offset " + entry.localHeaderOffset()
                    + ", beyond the file (" + in.size() + " bytes)");
        }
        ByteBuffer local = in.read(entry.localHeaderOffset(), LOCAL_SIZE, "local header of zip entry '"
                + entry.name() + "'");
        if (local.getInt(0) != LOCAL_SIG) {
            throw new CheckpointException(where + ": no local header at offset " + entry.localHeaderOffset());
        }
        int nameLen = u16(local, 26);
        int extraLen = u16(local, 28);
        long data = entry.localHeaderOffset() + LOCAL_SIZE + nameLen + extraLen;
        if (data > in.size() || entry.size() > in.size() - data) {
            throw new CheckpointException(where + " (" + entry.size() + " bytes at offset " + data
                    + ") lies outside the file (" + in.size() + " bytes); the file is truncated");
        }
        return data;
    }

    /** The entry's bytes as a heap copy, CRC-checked. */
    ByteBuffer read(Entry entry) throws IOException {
        ByteBuffer b = in.read(dataOffset(entry), entry.size(), "zip entry '" + entry.name() + "'");
        checkCrc(entry, b);
        return b;
    }

    /** The entry's bytes as a read-only view (mapped when possible) in the given order, CRC-checked. */
    ByteBuffer map(Entry entry, ByteOrder order) throws IOException {
        ByteBuffer b = in.region(dataOffset(entry), entry.size(), order, "zip entry '" + entry.name() + "'");
        checkCrc(entry, b);
        return b;
    }

    /** Bit flips in a checkpoint must not pass as weights: every entry used is checked against its CRC-32. */
    private void checkCrc(Entry entry, ByteBuffer bytes) throws CheckpointException {
        CRC32 crc = new CRC32();
        crc.update(bytes.duplicate());
        if (crc.getValue() != entry.crc()) {
            throw new CheckpointException(in.file() + ": zip entry '" + entry.name() + "' is corrupt (CRC-32 "
                    + String.format("%08x", crc.getValue()) + ", expected " + String.format("%08x", entry.crc()) + ")");
        }
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xFFFF;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & U32_MAX;
    }
}
