package dev.medsam.io.dicom.internal;

import dev.medsam.io.files.internal.Limits;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the pixel data of one object into little-endian values in the layout of {@code MedicalImage}: frames,
 * then rows, then columns, with the samples of a pixel interleaved. Values are masked to Bits Stored and, for signed
 * data, sign-extended from it; 1-bit data becomes one byte (0 or 1) per pixel.
 */
public final class PixelDecoder {

    /** Decoded bytes allowed for each compressed byte (plus {@link #FREE_BYTES}) before a codec is even started. */
    public static final long MAX_EXPANSION = 2048;
    /** The same for RLE, whose runs expand at most 128 bytes per 2 coded bytes. */
    public static final long RLE_MAX_EXPANSION = 64;
    /** Decoded bytes allowed regardless of the compressed size. */
    public static final long FREE_BYTES = 16L << 20;

    private PixelDecoder() {
    }

    /** Decodes every frame of {@code file}. */
    public static byte[] decode(ParsedFile file, PixelModule m) throws IOException {
        PixelDataInfo info = file.pixelData().orElseThrow(() -> new IOException(file.path() + ": no pixel data (7FE0,0010)"));
        // the decoded frames, and the image built from them, must fit in the heap (checked before inflating)
        Limits.checkHeap(file.path(), "pixel data of " + m.frames() + " frame(s) of " + m.rows() + " x " + m.columns(),
                Limits.multiply(m.totalBytes(), Limits.IMAGE_COPIES));
        TransferSyntax ts = file.transferSyntax();
        byte[] out;
        if (!info.encapsulated()) {
            if (ts.encapsulated() && !"unknown".equals(ts.name())) {
                throw new IOException(file.path() + ": transfer syntax " + ts.uid() + " (" + ts.name()
                        + ") needs encapsulated pixel data, but (7FE0,0010) has a defined length of " + info.length());
            }
            out = decodeNative(file, info, m);
        } else {
            if (!ts.encapsulated()) {
                throw new IOException(file.path() + ": pixel data " + Tags.format(info.tag()) + " at byte offset "
                        + info.tagOffset() + " has undefined length (fragments), but transfer syntax " + ts.uid() + " ("
                        + ts.name() + ") stores pixels natively");
            }
            out = decodeEncapsulated(file, info, m);
        }
        if (!m.floatingPoint()) {
            fixBits(out, m);
        }
        return out;
    }

    private static byte[] decodeNative(ParsedFile file, PixelDataInfo info, PixelModule m) throws IOException {
        long values = m.frameValues() * m.frames();
        long needed = m.bitsAllocated() == 1 ? (values + 7) / 8 : values * (m.bitsAllocated() / 8);
        String src = file.path().toString();
        boolean ybr422 = nativeYbr422(m);
        if (ybr422) {
            if (m.bitsAllocated() != 8 || m.planar() || m.columns() % 2 != 0) {
                throw new IOException(src + ": native YBR_FULL_422 pixel data with Bits Allocated " + m.bitsAllocated()
                        + ", Planar Configuration " + (m.planar() ? 1 : 0) + " and " + m.columns()
                        + " columns is not supported (only 8 bits, interleaved, an even number of columns)");
            }
            needed = values / 3 * 2; // two chroma samples shared by each pair of pixels: Y Y Cb Cr
        }
        if (info.length() < needed) {
            throw new IOException(src + ": pixel data " + Tags.format(info.tag()) + " has " + info.length() + " bytes, but "
                    + m.frames() + " frame(s) of " + m.rows() + " x " + m.columns() + " x " + m.samplesPerPixel() + " at "
                    + m.bitsAllocated() + " bits need " + needed);
        }
        byte[] raw;
        try (ByteSource s = DicomParser.openPixelData(file)) {
            raw = s.bytes(needed, "pixel data " + Tags.format(info.tag()));
        }
        if (info.bigEndian()) {
            int word = m.bitsAllocated() <= 8 ? ("OW".equals(info.vr()) ? 2 : 1) : m.bitsAllocated() / 8;
            swap(raw, word);
        }
        if (m.bitsAllocated() == 1) {
            byte[] out = new byte[(int) values];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) ((raw[i >>> 3] >>> (i & 7)) & 1);
            }
            return out;
        }
        if (ybr422) {
            return ybr422ToRgb(raw, values);
        }
        if (m.planar()) {
            return interleave(raw, m);
        }
        return raw;
    }

    /** Whether {@code m} describes native pixel data stored as YBR_FULL_422 (which is decoded to RGB). */
    public static boolean nativeYbr422(PixelModule m) {
        return m.samplesPerPixel() == 3 && "YBR_FULL_422".equals(m.photometric().trim());
    }

    /**
     * Native YBR_FULL_422 (PS3.3 C.7.6.3.1.2: per pair of pixels Y1 Y2 Cb Cr) to interleaved RGB, with the full-range
     * BT.601 equations of that section rounded to nearest and clamped to 0..255, as pydicom's and GDCM's conversions do.
     */
    static byte[] ybr422ToRgb(byte[] raw, long values) {
        byte[] out = new byte[(int) values];
        int o = 0;
        for (int i = 0; i + 3 < raw.length && o < out.length; i += 4) {
            double cb = (raw[i + 2] & 0xFF) - 128.0;
            double cr = (raw[i + 3] & 0xFF) - 128.0;
            for (int k = 0; k < 2; k++) {
                double y = raw[i + k] & 0xFF;
                out[o++] = clamp8(y + 1.402 * cr);
                out[o++] = clamp8(y - 0.344136 * cb - 0.714136 * cr);
                out[o++] = clamp8(y + 1.772 * cb);
            }
        }
        return out;
    }

    private static byte clamp8(double v) {
        long r = Math.round(v);
        return (byte) (r < 0 ? 0 : r > 255 ? 255 : r);
    }

    private static void swap(byte[] b, int word) {
        if (word <= 1) {
            return;
        }
        for (int i = 0; i + word <= b.length; i += word) {
            for (int a = i, z = i + word - 1; a < z; a++, z--) {
                byte t = b[a];
                b[a] = b[z];
                b[z] = t;
            }
        }
    }

    /** Planar configuration 1 (RRR..GGG..BBB per frame) to interleaved (RGBRGB...). */
    private static byte[] interleave(byte[] raw, PixelModule m) {
        int bps = m.dataType().bytes();
        int pixels = m.rows() * m.columns();
        byte[] out = new byte[raw.length];
        long frameBytes = m.frameBytes();
        for (int f = 0; f < m.frames(); f++) {
            int base = (int) (f * frameBytes);
            for (int s = 0; s < 3; s++) {
                for (int p = 0; p < pixels; p++) {
                    System.arraycopy(raw, base + (s * pixels + p) * bps, out, base + (p * 3 + s) * bps, bps);
                }
            }
        }
        return out;
    }

    /** Masks values to Bits Stored (after shifting the High Bit into place) and sign-extends signed data. */
    static void fixBits(byte[] out, PixelModule m) {
        int ba = m.bitsAllocated();
        int bs = m.bitsStored();
        int shift = m.highBit() + 1 - bs;
        if (ba == 1 || (bs == ba && shift == 0)) {
            return;
        }
        int bytes = ba / 8;
        long mask = bs == 64 ? -1L : (1L << bs) - 1;
        long sign = 1L << (bs - 1);
        for (int i = 0; i + bytes <= out.length; i += bytes) {
            long v = 0;
            for (int b = bytes - 1; b >= 0; b--) {
                v = (v << 8) | (out[i + b] & 0xFF);
            }
            v = (v >>> shift) & mask;
            if (m.signed() && (v & sign) != 0) {
                v |= ~mask;
            }
            for (int b = 0; b < bytes; b++) {
                out[i + b] = (byte) (v >>> (8 * b));
            }
        }
    }

    private static byte[] decodeEncapsulated(ParsedFile file, PixelDataInfo info, PixelModule m) throws IOException {
        TransferSyntax ts = file.transferSyntax();
        String src = file.path().toString();
        if (m.floatingPoint() || m.bitsAllocated() == 1) {
            throw new IOException(src + ": encapsulated pixel data with " + (m.floatingPoint() ? "floating-point values"
                    : "Bits Allocated 1") + " is not supported");
        }
        Codec codec = Codec.of(ts, src);
        Fragments fr = Fragments.read(file, info);
        List<byte[]> frames = fr.frames(m.frames(), codec, file.dataset());
        long compressed = 0;
        for (byte[] f : frames) {
            compressed += f.length;
        }
        long maxRatio = codec == Codec.RLE ? RLE_MAX_EXPANSION : MAX_EXPANSION;
        if (m.totalBytes() > FREE_BYTES + compressed * maxRatio) {
            throw new IOException(src + ": " + compressed + " bytes of " + ts.name() + " data cannot hold " + m.frames()
                    + " frame(s) of " + m.rows() + " x " + m.columns() + " x " + m.samplesPerPixel() + " ("
                    + m.totalBytes() + " bytes)");
        }
        byte[] out = new byte[(int) m.totalBytes()];
        for (int f = 0; f < frames.size(); f++) {
            int offset = (int) (f * m.frameBytes());
            String what = src + ": frame " + (f + 1) + " of " + m.frames() + " (" + ts.name() + ")";
            switch (codec) {
                case RLE -> Rle.decode(frames.get(f), m, out, offset, what);
                case JPEG_LS -> JpegLsDecoder.decodeInto(frames.get(f), m, out, offset, what);
                case JPEG -> {
                    if (JpegDctDecoder.handles(JpegDctDecoder.probe(frames.get(f)), m)) {
                        JpegDctDecoder.decodeInto(frames.get(f), m, out, offset, what);
                    } else {
                        ImageIoCodec.decodeInto(frames.get(f), codec, m, out, offset, what);
                    }
                }
                default -> ImageIoCodec.decodeInto(frames.get(f), codec, m, out, offset, what);
            }
        }
        return out;
    }

    /** The codec a transfer syntax needs. */
    enum Codec {
        RLE, JPEG, JPEG_LS, JPEG_2000;

        static Codec of(TransferSyntax ts, String src) throws IOException {
            return switch (ts.uid()) {
                case TransferSyntax.RLE -> RLE;
                case TransferSyntax.JPEG_BASELINE, TransferSyntax.JPEG_EXTENDED, TransferSyntax.JPEG_LOSSLESS,
                        TransferSyntax.JPEG_LOSSLESS_SV1 -> JPEG;
                case TransferSyntax.JPEG_LS_LOSSLESS, TransferSyntax.JPEG_LS_NEAR_LOSSLESS -> JPEG_LS;
                case TransferSyntax.JPEG_2000_LOSSLESS, TransferSyntax.JPEG_2000 -> JPEG_2000;
                default -> throw new IOException(src + ": unsupported transfer syntax " + ts.uid() + " (0002,0010)");
            };
        }
    }

    /** The basic offset table and fragments of encapsulated pixel data (PS3.5 A.4). */
    static final class Fragments {
        final long[] offsetTable;
        final List<byte[]> fragments = new ArrayList<>();
        /** Offset of each fragment's item tag, relative to the first fragment's item tag (what the table counts). */
        final List<Long> positions = new ArrayList<>();
        final String src;

        private Fragments(long[] offsetTable, String src) {
            this.offsetTable = offsetTable;
            this.src = src;
        }

        static Fragments read(ParsedFile file, PixelDataInfo info) throws IOException {
            String src = file.path().toString();
            try (ByteSource s = DicomParser.openPixelData(file)) {
                long off = s.position();
                int tag = (s.u16(false) << 16) | s.u16(false);
                long len = s.u32(false);
                if (tag != Tags.ITEM) {
                    throw new IOException(src + ": encapsulated pixel data at byte offset " + off
                            + " does not start with the basic offset table item (FFFE,E000) but " + Tags.format(tag));
                }
                if (len % 4 != 0 || len == 0xFFFFFFFFL) {
                    throw new IOException(src + ": basic offset table at byte offset " + off + " has length " + len
                            + ", not a multiple of 4");
                }
                byte[] table = s.bytes(len, "basic offset table");
                long[] offsets = new long[(int) (len / 4)];
                for (int i = 0; i < offsets.length; i++) {
                    offsets[i] = (table[4 * i] & 0xFFL) | (table[4 * i + 1] & 0xFFL) << 8 | (table[4 * i + 2] & 0xFFL) << 16
                            | (table[4 * i + 3] & 0xFFL) << 24;
                }
                Fragments fr = new Fragments(offsets, src);
                long first = s.position();
                while (true) {
                    long itemOffset = s.position();
                    int t = (s.u16(false) << 16) | s.u16(false);
                    long l = s.u32(false);
                    if (t == Tags.SEQUENCE_DELIMITATION) {
                        break;
                    }
                    if (t != Tags.ITEM || l == 0xFFFFFFFFL) {
                        throw new IOException(src + ": expected a fragment item (FFFE,E000) of defined length at byte offset "
                                + itemOffset + ", found " + Tags.format(t) + " with length " + l);
                    }
                    fr.positions.add(itemOffset - first);
                    fr.fragments.add(s.bytes(l, "pixel data fragment " + (fr.fragments.size() + 1)));
                }
                return fr;
            }
        }

        /** The compressed bytes of each frame. */
        List<byte[]> frames(int frames, Codec codec, Attributes ds) throws IOException {
            int n = fragments.size();
            if (n == 0) {
                throw new IOException(src + ": encapsulated pixel data has no fragments");
            }
            if (n < frames) {
                throw new IOException(src + ": " + frames + " frames but only " + n + " pixel data fragments");
            }
            if (frames == 1) {
                return List.of(concat(0, n));
            }
            if (n == frames) {
                return List.copyOf(fragments);
            }
            long[] table = offsetTable;
            if (table.length == 0 && ds.contains(Tags.EXTENDED_OFFSET_TABLE)) {
                table = ds.doubles(Tags.EXTENDED_OFFSET_TABLE).length == 0 ? table : longs(ds.doubles(Tags.EXTENDED_OFFSET_TABLE));
            }
            if (table.length > 0) {
                if (table.length != frames) {
                    throw new IOException(src + ": the offset table has " + table.length + " entries for " + frames + " frames");
                }
                int[] startFragment = new int[frames + 1];
                for (int f = 0; f < frames; f++) {
                    int idx = positions.indexOf(table[f]);
                    if (idx < 0 || (f > 0 && idx <= startFragment[f - 1])) {
                        throw new IOException(src + ": offset table entry " + f + " (" + table[f]
                                + ") does not point at the start of a fragment after the previous frame's");
                    }
                    startFragment[f] = idx;
                }
                startFragment[frames] = n;
                List<byte[]> out = new ArrayList<>(frames);
                for (int f = 0; f < frames; f++) {
                    out.add(concat(startFragment[f], startFragment[f + 1]));
                }
                return out;
            }
            if (codec == Codec.RLE) {
                throw new IOException(src + ": RLE needs one fragment per frame, found " + n + " fragments for " + frames
                        + " frames and no offset table");
            }
            // No table: a frame starts at each fragment that opens with a start marker (SOI for JPEG, SOC for J2K).
            List<Integer> starts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] b = fragments.get(i);
                if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && ((b[1] & 0xFF) == 0xD8 || (b[1] & 0xFF) == 0x4F)) {
                    starts.add(i);
                }
            }
            if (starts.size() != frames || starts.get(0) != 0) {
                throw new IOException(src + ": cannot split " + n + " fragments into " + frames + " frames: no offset table and "
                        + starts.size() + " fragments start a codestream");
            }
            starts.add(n);
            List<byte[]> out = new ArrayList<>(frames);
            for (int f = 0; f < frames; f++) {
                out.add(concat(starts.get(f), starts.get(f + 1)));
            }
            return out;
        }

        private static long[] longs(double[] d) {
            long[] l = new long[d.length];
            for (int i = 0; i < d.length; i++) {
                l[i] = (long) d[i];
            }
            return l;
        }

        private byte[] concat(int from, int to) throws IOException {
            if (to - from == 1) {
                return fragments.get(from);
            }
            long len = 0;
            for (int i = from; i < to; i++) {
                len += fragments.get(i).length;
            }
            if (len > Integer.MAX_VALUE - 16) {
                throw new IOException(src + ": one frame's fragments hold " + len + " bytes, too many to decode");
            }
            byte[] out = new byte[(int) len];
            int p = 0;
            for (int i = from; i < to; i++) {
                byte[] b = fragments.get(i);
                System.arraycopy(b, 0, out, p, b.length);
                p += b.length;
            }
            return out;
        }
    }
}
