package dev.medsam.io.image2d;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The few tags of a classic TIFF's first IFD that ImageIO does not surface in its raster: SampleFormat (to
 * tell int8 from uint8 and int32 from uint32), X/YResolution with ResolutionUnit, ImageDescription, and the
 * page count. Best effort: anything malformed leaves a tag out (the image decoder reports real damage).
 */
final class TiffTags {

    static final int IMAGE_WIDTH = 256;
    static final int BITS_PER_SAMPLE = 258;
    static final int COMPRESSION = 259;
    static final int PHOTOMETRIC = 262;
    static final int IMAGE_DESCRIPTION = 270;
    static final int SAMPLES_PER_PIXEL = 277;
    static final int X_RESOLUTION = 282;
    static final int Y_RESOLUTION = 283;
    static final int RESOLUTION_UNIT = 296;
    static final int SAMPLE_FORMAT = 339;

    private static final int MAX_PAGES = 100_000;

    /** Numeric tag values (first value of each; rationals as double). */
    final Map<Integer, Double> numbers = new HashMap<>();
    String description;
    int pages;
    boolean bigTiff;

    private TiffTags() {
    }

    static TiffTags read(Path file) {
        TiffTags t = new TiffTags();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = read(ch, 0, 8, size);
            if (head == null) {
                return t;
            }
            ByteOrder order = head.get(0) == 'M' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            head.order(order);
            int magic = head.getShort(2) & 0xFFFF;
            if (magic == 43) {
                t.bigTiff = true; // BigTIFF: 64-bit offsets; we leave the tags to the decoder
                return t;
            }
            if (magic != 42) {
                return t;
            }
            long ifd = head.getInt(4) & 0xFFFFFFFFL;
            Set<Long> seen = new HashSet<>();
            boolean first = true;
            while (ifd != 0 && ifd + 2 <= size && seen.add(ifd) && t.pages < MAX_PAGES) {
                ByteBuffer cnt = read(ch, ifd, 2, size);
                if (cnt == null) {
                    break;
                }
                int n = cnt.order(order).getShort(0) & 0xFFFF;
                ByteBuffer entries = read(ch, ifd + 2, n * 12L + 4, size);
                if (entries == null) {
                    break;
                }
                entries.order(order);
                t.pages++;
                if (first) {
                    for (int i = 0; i < n; i++) {
                        t.entry(ch, entries, i * 12, order, size);
                    }
                    first = false;
                }
                ifd = entries.getInt(n * 12) & 0xFFFFFFFFL;
            }
        } catch (IOException | RuntimeException e) {
            // best effort: the decoder will report a broken file
        }
        return t;
    }

    private void entry(FileChannel ch, ByteBuffer e, int at, ByteOrder order, long size) throws IOException {
        int tag = e.getShort(at) & 0xFFFF;
        int type = e.getShort(at + 2) & 0xFFFF;
        long count = e.getInt(at + 4) & 0xFFFFFFFFL;
        int unit = switch (type) {
            case 1, 2, 6, 7 -> 1;
            case 3, 8 -> 2;
            case 4, 9, 11 -> 4;
            case 5, 10, 12 -> 8;
            default -> 0;
        };
        if (unit == 0 || count == 0) {
            return;
        }
        long bytes = unit * count;
        ByteBuffer value;
        if (bytes <= 4) {
            value = e.duplicate().position(at + 8).limit(at + 12).slice().order(order);
        } else {
            if (tag != IMAGE_DESCRIPTION && tag != X_RESOLUTION && tag != Y_RESOLUTION && tag != SAMPLE_FORMAT
                    && tag != BITS_PER_SAMPLE) {
                return;
            }
            long offset = e.getInt(at + 8) & 0xFFFFFFFFL;
            value = read(ch, offset, (int) Math.min(bytes, 1 << 16), size);
            if (value == null) {
                return;
            }
            value.order(order);
        }
        if (type == 2) {
            byte[] b = new byte[value.remaining()];
            value.get(b);
            int end = 0;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            if (tag == IMAGE_DESCRIPTION) {
                description = new String(b, 0, end, StandardCharsets.ISO_8859_1);
            }
            return;
        }
        double v = switch (type) {
            case 1, 7 -> value.get(0) & 0xFF;
            case 6 -> value.get(0);
            case 3 -> value.getShort(0) & 0xFFFF;
            case 8 -> value.getShort(0);
            case 4 -> value.getInt(0) & 0xFFFFFFFFL;
            case 9 -> value.getInt(0);
            case 5 -> (value.getInt(0) & 0xFFFFFFFFL) / (double) (value.getInt(4) & 0xFFFFFFFFL);
            case 10 -> value.getInt(0) / (double) value.getInt(4);
            case 11 -> value.getFloat(0);
            case 12 -> value.getDouble(0);
            default -> Double.NaN;
        };
        numbers.put(tag, v);
    }

    private static ByteBuffer read(FileChannel ch, long offset, long length, long size) throws IOException {
        if (offset < 0 || length < 0 || length > (1 << 20) || offset + length > size) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate((int) length);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) {
                return null;
            }
        }
        return b.flip();
    }

    Optional<Double> number(int tag) {
        return Optional.ofNullable(numbers.get(tag));
    }
}
