package dev.medsam.io.files.internal;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Rescale;
import dev.medsam.io.files.MalformedImageException;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * The voxel payload of the header-plus-raw-data formats (NRRD, MetaImage): reading a stretch of a file,
 * raw, gzip or zlib, with the allocation bounded by what the file can hold, and converting stored values to
 * the little-endian layout of {@link MedicalImage}.
 */
public final class RawData {

    /** How a payload is stored. */
    public enum Compression {
        NONE, GZIP, ZLIB
    }

    private RawData() {
    }

    /**
     * Reads {@code n} payload bytes from {@code file}: after skipping {@code skip} bytes (of the file for raw
     * data, of the decompressed stream for gzip and zlib), or, if {@code skip} is negative, the last {@code n}
     * bytes of a raw file.
     *
     * @param header the header that named {@code file}, for the message when {@code file} is another file
     * @throws MalformedImageException if the file is too short, the compressed stream is corrupt, or {@code n}
     *                                 exceeds what the file can decode to
     */
    public static byte[] read(Path header, Path file, long start, long skip, long n, Compression compression)
            throws IOException {
        String where = file.equals(header) ? "" : " (in data file " + file + ")";
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new MalformedImageException(header, "its data file " + file + " does not exist", e);
        }
        if (start > size) {
            throw new MalformedImageException(header, "the data should start at byte " + start + " but the file has "
                    + size + " bytes" + where);
        }
        long available = size - start;
        if (compression == Compression.NONE) {
            long offset = skip < 0 ? size - n : start + skip;
            Limits.checkAllocation(header, "the image data" + where, n, Math.max(0, size - Math.max(offset, 0)),
                    "the file has " + Math.max(0, size - Math.max(offset, 0)) + " bytes from the data's start");
            if (offset < start) {
                throw new MalformedImageException(header, "the image data needs " + n + " bytes but the file has "
                        + available + " after the header" + where);
            }
            try (SeekableByteChannel ch = Files.newByteChannel(file)) {
                ch.position(offset);
                byte[] out = Channels.newInputStream(ch).readNBytes((int) n);
                if (out.length != n) {
                    throw new MalformedImageException(header, "the image data is truncated: " + out.length + " of "
                            + n + " bytes" + where);
                }
                return out;
            }
        }
        long skipped = Math.max(0, skip);
        long bound = Limits.inflateBound(available);
        Limits.checkAllocation(header, "the image data" + where, n, bound - Math.min(bound, skipped),
                available + " compressed bytes cannot decode to that much");
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            ch.position(start);
            InputStream raw = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
            try (InputStream in = compression == Compression.GZIP ? new GZIPInputStream(raw, 1 << 16)
                    : new InflaterInputStream(raw)) {
                if (skipNBytes(in, skipped) != skipped) {
                    throw new MalformedImageException(header, "the compressed data ends within the " + skipped
                            + " bytes to skip" + where);
                }
                byte[] out = in.readNBytes((int) n);
                if (out.length != n) {
                    throw new MalformedImageException(header, "the compressed image data is truncated: it decodes to "
                            + out.length + " of " + n + " bytes" + where);
                }
                return out;
            } catch (ZipException | java.io.EOFException e) {
                throw new MalformedImageException(header, "corrupt " + compression.name().toLowerCase(Locale.ROOT)
                        + " data" + where + ": " + e.getMessage(), e);
            }
        }
    }

    /** Reads one data file's share of the image data. */
    @FunctionalInterface
    public interface PartReader {
        /** The {@code bytes} bytes (little-endian values) that {@code dataFile} holds. */
        byte[] read(Path dataFile, long bytes) throws IOException;
    }

    /**
     * The image data of {@code bytes} bytes, split evenly over {@code files} (a detached header may name several,
     * one per slice): each part is read by {@code reader}, and so bounded by its file, before the whole is
     * allocated; the parts are joined in order.
     *
     * @param header the header that named the files, for messages
     * @throws MalformedImageException if the data cannot be split evenly over the files, or a part cannot be read
     */
    public static byte[] readParts(Path header, List<Path> files, long bytes, PartReader reader) throws IOException {
        if (files.isEmpty() || bytes % files.size() != 0) {
            throw new MalformedImageException(header, "the image data (" + bytes + " bytes) cannot be split evenly "
                    + "over " + files.size() + " data files");
        }
        long per = bytes / files.size();
        List<byte[]> parts = new ArrayList<>(files.size());
        for (Path p : files) {
            parts.add(reader.read(p, per));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        byte[] out = new byte[Math.toIntExact(bytes)];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /**
     * The text payload of {@code file} from byte {@code start} to its end (ISO-8859-1, so that every byte is one
     * character), for {@link #parseText}. Empty if {@code start} lies beyond the end.
     *
     * @param header the header that named {@code file}, for messages
     * @throws MalformedImageException if the file does not exist or is too large to hold as one string
     */
    public static String readText(Path header, Path file, long start) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new MalformedImageException(header, "its data file " + file + " does not exist", e);
        }
        Limits.checkAllocation(header, "the text image data", size - start, Integer.MAX_VALUE - 16,
                "a text payload is read into one string");
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            ch.position(Math.min(start, size));
            byte[] text = Channels.newInputStream(ch).readNBytes((int) Math.max(0, size - start));
            return new String(text, StandardCharsets.ISO_8859_1);
        }
    }

    /** Skips with a bounded buffer (InputStream.skip on inflater streams may allocate per call). */
    private static long skipNBytes(InputStream in, long n) throws IOException {
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    /** Converts stored values of {@code width} bytes in {@code order} to little-endian, in place. */
    public static void toLittleEndian(byte[] data, int width, ByteOrder order) {
        if (order == ByteOrder.BIG_ENDIAN) {
            ByteOrders.swap(data, width);
        }
    }

    /**
     * Parses {@code count} whitespace-separated numbers (text payloads: NRRD's ascii encoding, MetaImage with
     * BinaryData = False) into little-endian values of {@code type}.
     *
     * @throws MalformedImageException naming the value's index if a token is no number or out of range
     */
    public static byte[] parseText(Path file, String text, long count, DataType type) throws MalformedImageException {
        Limits.checkAllocation(file, "the text image data", Limits.multiply(count, type.bytes()),
                (long) text.length() * type.bytes(), "the text has only " + text.length() + " characters");
        ByteBuffer out = ByteBuffer.allocate((int) (count * type.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        for (long i = 0; i < count; i++) {
            while (pos < text.length() && (Character.isWhitespace(text.charAt(pos)) || text.charAt(pos) == ',')) {
                pos++;
            }
            int end = pos;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != ',') {
                end++;
            }
            if (end == pos) {
                throw new MalformedImageException(file, "the text image data has " + i + " values; " + count
                        + " expected");
            }
            String token = text.substring(pos, end);
            pos = end;
            double v;
            try {
                v = Double.parseDouble(token);
            } catch (NumberFormatException e) {
                throw new MalformedImageException(file, "value " + i + " of the text image data is not a number: '"
                        + Text.clip(token) + "'");
            }
            if (!type.isFloatingPoint() && (v != Math.rint(v) || v < type.minValue() || v > type.maxValue())) {
                throw new MalformedImageException(file, "value " + i + " of the text image data, " + Text.clip(token)
                        + ", is no " + type.numpyName());
            }
            switch (type) {
                case UINT8, INT8 -> out.put((byte) (long) v);
                case UINT16, INT16 -> out.putShort((short) (long) v);
                case UINT32, INT32 -> out.putInt((int) (long) v);
                case UINT64 -> out.putLong(v >= 0x1p63 ? (long) (v - 0x1p63) ^ Long.MIN_VALUE : (long) v);
                case INT64 -> out.putLong((long) v);
                case FLOAT32 -> out.putFloat((float) v);
                case FLOAT64 -> out.putDouble(v);
                case FLOAT16 -> throw new MalformedImageException(file, "float16 text data is not supported");
            }
        }
        return out.array();
    }

    /**
     * {@code image} with values a format without rescale or half floats can store: itself if its rescale is
     * the identity and its type is not float16; else the scaled values, as int16 or int32 when they are all
     * whole numbers in that range (CT in Hounsfield units), float32 otherwise.
     */
    public static MedicalImage storable(MedicalImage image) {
        boolean identity = image.rescale().slope() == 1 && image.rescale().intercept() == 0;
        if (identity && image.dataType() != DataType.FLOAT16) {
            return image;
        }
        long n = image.valueCount();
        boolean whole = true;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (long i = 0; i < n; i++) {
            double v = image.scaled(i);
            whole &= v == Math.rint(v);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        DataType t = whole && min >= Short.MIN_VALUE && max <= Short.MAX_VALUE ? DataType.INT16
                : whole && min >= Integer.MIN_VALUE && max <= Integer.MAX_VALUE ? DataType.INT32 : DataType.FLOAT32;
        ByteBuffer out = ByteBuffer.allocate((int) (n * t.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            double v = image.scaled(i);
            switch (t) {
                case INT16 -> out.putShort((short) v);
                case INT32 -> out.putInt((int) v);
                default -> out.putFloat((float) v);
            }
        }
        out.flip();
        MedicalImage.Builder b = image.toBuilder(t).rescale(Rescale.IDENTITY).data(out);
        return b.build();
    }

    /** Copies {@code image}'s values to {@code out} in {@code order}. */
    public static void writeValues(MedicalImage image, ByteOrder order, OutputStream out) throws IOException {
        ByteBuffer data = image.data();
        int width = image.dataType().bytes();
        byte[] chunk = new byte[1 << 16];
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            if (order == ByteOrder.BIG_ENDIAN) {
                ByteOrders.swap(chunk, 0, n, width);
            }
            out.write(chunk, 0, n);
        }
    }

    /** {@code image}'s values in {@code order}, as one array (for formats that state the compressed size first). */
    public static byte[] values(MedicalImage image, ByteOrder order) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 16,
                image.valueCount() * image.dataType().bytes()));
        writeValues(image, order, out);
        return out.toByteArray();
    }
}
