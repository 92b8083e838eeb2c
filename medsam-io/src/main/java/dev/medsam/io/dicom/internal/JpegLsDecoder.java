package dev.medsam.io.dicom.internal;

import java.io.IOException;

/**
 * A JPEG-LS decoder (ITU-T T.87 / ISO 14495-1) for DICOM 1.2.840.10008.1.2.4.80 (lossless) and .81
 * (near-lossless): LOCO-I context modelling with median edge detection, bias correction, Golomb-Rice codes with
 * an escape limit, and run mode. Supports 2..16-bit samples, preset parameters (LSE id 1) and one component per
 * scan (ILV 0, also for colour: one scan per component). Interleaved scans (ILV 1 and 2), mapping tables, restart
 * markers and point transforms are refused with an {@link IOException}. Verified exact on the shared Siemens
 * mosaic (lossless, 16-bit precision, preset thresholds); the near-lossless (NEAR &gt; 0) arithmetic follows the
 * standard but has no sample file here.
 *
 * <p>Written from the standard's description; every failure on corrupt input is an {@link IOException} naming
 * the byte position.
 */
final class JpegLsDecoder {

    private static final int[] J = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11,
        12, 13, 14, 15};
    private static final int MIN_C = -128;
    private static final int MAX_C = 127;
    /** Contexts indexed by |Qs| with Qs = (Q1 * 9 + Q2) * 9 + Q3, Q in -4..4: at most 364. */
    private static final int CONTEXTS = 365;

    private final byte[] data;
    private final String what;
    private int pos;

    // Frame and preset parameters.
    private int precision;
    private int width;
    private int height;
    private int components;
    private int maxVal;
    private int t1;
    private int t2;
    private int t3;
    private int reset;

    // Scan parameters and state.
    private int near;
    private int range;
    private int qbpp;
    private int limit;
    private final int[] a = new int[CONTEXTS];
    private final int[] b = new int[CONTEXTS];
    private final int[] c = new int[CONTEXTS];
    private final int[] n = new int[CONTEXTS];
    private final int[] riA = new int[2];
    private final int[] riN = new int[2];
    private final int[] riNn = new int[2];
    private int runIndex;

    // Bit reader.
    private int bitPos;
    private long bitBuffer;
    private int bitCount;
    private boolean lastWasFF;

    private JpegLsDecoder(byte[] data, String what) {
        this.data = data;
        this.what = what;
    }

    /** Decodes one frame into {@code out} at {@code offset}, little-endian values of the module's type. */
    static void decodeInto(byte[] frame, PixelModule m, byte[] out, int offset, String what) throws IOException {
        JpegLsDecoder d = new JpegLsDecoder(frame, what);
        int[] samples;
        try {
            samples = d.decode(m);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IOException(what + ": JPEG-LS data is corrupt near byte " + d.pos, e);
        }
        int bps = m.dataType().bytes();
        int p = offset;
        for (int v : samples) {
            for (int k = 0; k < bps; k++) {
                out[p++] = (byte) (v >>> (8 * k));
            }
        }
    }

    private int[] decode(PixelModule m) throws IOException {
        if (u8() != 0xFF || u8() != 0xD8) {
            throw error("does not start with SOI (FFD8)");
        }
        int[] out = null;
        boolean[] done = null;
        while (true) {
            int marker = nextMarker();
            switch (marker) {
                case 0xF7 -> {
                    readFrameHeader(m);
                    out = new int[width * height * components];
                    done = new boolean[components];
                }
                case 0xF8 -> readPresets();
                case 0xDA -> {
                    if (out == null) {
                        throw error("scan before the frame header (SOF55)");
                    }
                    readScan(out, done);
                }
                case 0xD9 -> {
                    if (out == null) {
                        throw error("no frame header (SOF55)");
                    }
                    for (int i = 0; i < components; i++) {
                        if (!done[i]) {
                            throw error("component " + (i + 1) + " has no scan");
                        }
                    }
                    return out;
                }
                case 0xDD -> throw error("restart intervals (DRI) are not supported");
                case 0xC0, 0xC1, 0xC2, 0xC3 -> throw error("is a JPEG (not JPEG-LS) codestream");
                default -> skipSegment();
            }
        }
    }

    private IOException error(String message) {
        return new IOException(what + ": JPEG-LS " + message + " (byte " + pos + " of " + data.length + ")");
    }

    private int u8() throws IOException {
        if (pos >= data.length) {
            throw error("data ends early");
        }
        return data[pos++] & 0xFF;
    }

    private int u16() throws IOException {
        return (u8() << 8) | u8();
    }

    /** Skips to the next marker (fill bytes allowed) and returns its second byte. */
    private int nextMarker() throws IOException {
        int x = u8();
        while (x != 0xFF) {
            x = u8();
        }
        int m = u8();
        while (m == 0xFF) {
            m = u8();
        }
        return m;
    }

    private void skipSegment() throws IOException {
        int len = u16();
        if (len < 2 || pos + len - 2 > data.length) {
            throw error("marker segment of length " + len + " runs past the data");
        }
        pos += len - 2;
    }

    private void readFrameHeader(PixelModule m) throws IOException {
        int len = u16();
        precision = u8();
        height = u16();
        width = u16();
        components = u8();
        if (len != 8 + 3 * components) {
            throw error("frame header length " + len + " does not fit " + components + " components");
        }
        for (int i = 0; i < components; i++) {
            u8();
            u8();
            u8();
        }
        if (precision < 2 || precision > 16) {
            throw error("sample precision " + precision + " is outside 2..16");
        }
        if (width != m.columns() || height != m.rows() || components != m.samplesPerPixel()) {
            throw error("frame is " + width + " x " + height + " x " + components + " but Columns x Rows x Samples is "
                    + m.columns() + " x " + m.rows() + " x " + m.samplesPerPixel());
        }
        maxVal = (1 << precision) - 1;
    }

    private void readPresets() throws IOException {
        int len = u16();
        int id = u8();
        if (id != 1) {
            throw error("preset segment id " + id + " (mapping tables or oversize images) is not supported");
        }
        if (len != 13) {
            throw error("preset parameters segment has length " + len + ", expected 13");
        }
        int mv = u16();
        int p1 = u16();
        int p2 = u16();
        int p3 = u16();
        int r = u16();
        if (mv != 0) {
            maxVal = mv;
        }
        t1 = p1;
        t2 = p2;
        t3 = p3;
        reset = r;
    }

    private void readScan(int[] out, boolean[] done) throws IOException {
        int len = u16();
        int ns = u8();
        if (ns < 1 || ns > components || len != 6 + 2 * ns) {
            throw error("scan header with " + ns + " components and length " + len);
        }
        int[] comps = new int[ns];
        for (int i = 0; i < ns; i++) {
            comps[i] = u8();
            if (u8() != 0) {
                throw error("mapping tables are not supported");
            }
        }
        near = u8();
        int ilv = u8();
        int pt = u8();
        if ((pt & 0x0F) != 0) {
            throw error("point transform " + (pt & 0x0F) + " is not supported");
        }
        if (ilv != 0) {
            // Interleaved colour scans have no test data here; refusing them beats a silent wrong answer.
            throw error("interleaved scans (ILV " + ilv + ") are not supported; only one component per scan");
        }
        if (ilv > 2 || (ilv == 0 && ns != 1)) {
            throw error("interleave mode " + ilv + " with " + ns + " components is not valid");
        }
        if (near > Math.min(255, maxVal / 2)) {
            throw error("NEAR " + near + " is too large for MAXVAL " + maxVal);
        }
        // Scan components are numbered in the frame order they appear (DICOM writers use 1..n).
        int firstIndex = components == ns ? 0 : Math.min(components - 1, Math.max(0, comps[0] - 1));
        setUp();
        bitPos = pos;
        bitBuffer = 0;
        bitCount = 0;
        lastWasFF = false;
        int w = width;
        int[][] prev = new int[ns][w + 2];
        int[][] cur = new int[ns][w + 2];
        int[] runIndexes = new int[ns];
        for (int y = 0; y < height; y++) {
            for (int s = 0; s < ns; s++) {
                int[] p = prev[s];
                int[] q = cur[s];
                p[w + 1] = p[w];
                q[0] = p[1];
                runIndex = runIndexes[s];
                decodeLine(p, q);
                runIndexes[s] = runIndex;
                int comp = ns == 1 ? firstIndex : s;
                int base = y * w * components + comp;
                for (int x = 0; x < w; x++) {
                    out[base + x * components] = q[x + 1];
                }
                prev[s] = q;
                cur[s] = p;
            }
        }
        for (int s = 0; s < ns; s++) {
            done[ns == 1 ? firstIndex : s] = true;
        }
        // Continue after the bytes the bit reader consumed; the next marker follows.
        pos = bitPos;
    }

    private void setUp() throws IOException {
        int factor;
        int bt1;
        int bt2;
        int bt3;
        if (maxVal >= 128) {
            factor = (Math.min(maxVal, 4095) + 128) / 256;
            bt1 = clamp(factor * (3 - 2) + 2 + 3 * near, near + 1);
            bt2 = clamp(factor * (7 - 3) + 3 + 5 * near, bt1);
            bt3 = clamp(factor * (21 - 4) + 4 + 7 * near, bt2);
        } else {
            factor = 256 / (maxVal + 1);
            bt1 = clamp(Math.max(2, 3 / factor + 3 * near), near + 1);
            bt2 = clamp(Math.max(3, 7 / factor + 5 * near), bt1);
            bt3 = clamp(Math.max(4, 21 / factor + 7 * near), bt2);
        }
        if (t1 == 0) {
            t1 = bt1;
        }
        if (t2 == 0) {
            t2 = bt2;
        }
        if (t3 == 0) {
            t3 = bt3;
        }
        if (reset == 0) {
            reset = 64;
        }
        if (t1 < near + 1 || t2 < t1 || t3 < t2 || t3 > maxVal || reset < 3) {
            throw error("thresholds T1=" + t1 + ", T2=" + t2 + ", T3=" + t3 + ", RESET=" + reset + " are not valid");
        }
        range = (maxVal + 2 * near) / (2 * near + 1) + 1;
        qbpp = 32 - Integer.numberOfLeadingZeros(range - 1);
        int bpp = Math.max(2, 32 - Integer.numberOfLeadingZeros(maxVal));
        limit = 2 * (bpp + Math.max(8, bpp));
        int init = Math.max(2, (range + 32) / 64);
        for (int i = 0; i < CONTEXTS; i++) {
            a[i] = init;
            b[i] = 0;
            c[i] = 0;
            n[i] = 1;
        }
        for (int i = 0; i < 2; i++) {
            riA[i] = init;
            riN[i] = 1;
            riNn[i] = 0;
        }
        runIndex = 0;
    }

    private int clamp(int v, int low) {
        return v > maxVal || v < low ? low : v;
    }

    private int quantize(int d) {
        if (d <= -t3) {
            return -4;
        }
        if (d <= -t2) {
            return -3;
        }
        if (d <= -t1) {
            return -2;
        }
        if (d < -near) {
            return -1;
        }
        if (d <= near) {
            return 0;
        }
        if (d < t1) {
            return 1;
        }
        if (d < t2) {
            return 2;
        }
        if (d < t3) {
            return 3;
        }
        return 4;
    }

    /** Decodes one line into cur[1..w]; cur[0] is Ra of the first sample, prev[0..w+1] the line above. */
    private void decodeLine(int[] prev, int[] cur) throws IOException {
        int w = width;
        int x = 0;
        while (x < w) {
            int ra = cur[x];
            int rb = prev[x + 1];
            int rc = prev[x];
            int rd = prev[x + 2];
            int qs = (quantize(rd - rb) * 9 + quantize(rb - rc)) * 9 + quantize(rc - ra);
            if (qs == 0) {
                x += runMode(x, prev, cur);
            } else {
                cur[x + 1] = regular(qs, ra, rb, rc);
                x++;
            }
        }
    }

    private int regular(int qs, int ra, int rb, int rc) throws IOException {
        int sign = qs < 0 ? -1 : 1;
        int q = qs < 0 ? -qs : qs;
        int px;
        if (rc >= Math.max(ra, rb)) {
            px = Math.min(ra, rb);
        } else if (rc <= Math.min(ra, rb)) {
            px = Math.max(ra, rb);
        } else {
            px = ra + rb - rc;
        }
        px += sign * c[q];
        if (px < 0) {
            px = 0;
        } else if (px > maxVal) {
            px = maxVal;
        }
        int k = 0;
        while ((n[q] << k) < a[q]) {
            k++;
            if (k > 24) {
                throw error("context state is corrupt");
            }
        }
        int m = golomb(k, limit);
        int err = (m & 1) == 0 ? m >>> 1 : -((m + 1) >>> 1);
        if (k == 0 && near == 0 && 2 * b[q] + n[q] - 1 < 0) {
            err = -err - 1;
        }
        // Context update (T.87 A.6).
        b[q] += err * (2 * near + 1);
        a[q] += Math.abs(err);
        if (n[q] == reset) {
            a[q] >>= 1;
            b[q] >>= 1;
            n[q] >>= 1;
        }
        n[q]++;
        if (b[q] + n[q] <= 0) {
            b[q] += n[q];
            if (b[q] <= -n[q]) {
                b[q] = -n[q] + 1;
            }
            if (c[q] > MIN_C) {
                c[q]--;
            }
        } else if (b[q] > 0) {
            b[q] -= n[q];
            if (b[q] > 0) {
                b[q] = 0;
            }
            if (c[q] < MAX_C) {
                c[q]++;
            }
        }
        return reconstruct(px, sign * err);
    }

    private int reconstruct(int px, int err) {
        int rx = px + err * (2 * near + 1);
        if (rx < -near) {
            rx += range * (2 * near + 1);
        } else if (rx > maxVal + near) {
            rx -= range * (2 * near + 1);
        }
        return rx < 0 ? 0 : Math.min(rx, maxVal);
    }

    /** Run mode at sample x: the run, then (unless it reaches the line's end) the interruption sample. */
    private int runMode(int x, int[] prev, int[] cur) throws IOException {
        int w = width;
        int ra = cur[x];
        int remaining = w - x;
        int count = 0;
        while (readBit() == 1) {
            int len = Math.min(1 << J[runIndex], remaining - count);
            count += len;
            if (len == (1 << J[runIndex]) && runIndex < 31) {
                runIndex++;
            }
            if (count == remaining) {
                break;
            }
        }
        if (count != remaining) {
            count += J[runIndex] > 0 ? readBits(J[runIndex]) : 0;
        }
        if (count > remaining) {
            throw error("run of " + count + " samples runs past the line end");
        }
        for (int i = 1; i <= count; i++) {
            cur[x + i] = ra; // a run repeats Ra (within NEAR for near-lossless)
        }
        if (x + count == w) {
            return count;
        }
        int rb = prev[x + count + 1];
        int riType = Math.abs(ra - rb) <= near ? 1 : 0;
        int temp = riA[riType] + (riN[riType] >> 1) * riType;
        int k = 0;
        while ((riN[riType] << k) < temp) {
            k++;
            if (k > 24) {
                throw error("run context state is corrupt");
            }
        }
        int em = golomb(k, limit - J[runIndex] - 1);
        int t = em + riType;
        boolean map = (t & 1) != 0;
        int abs = (t + (map ? 1 : 0)) / 2;
        int err = ((k != 0 || 2 * riNn[riType] >= riN[riType]) == map) ? -abs : abs;
        if (err < 0) {
            riNn[riType]++;
        }
        riA[riType] += (em + 1 - riType) >> 1;
        if (riN[riType] == reset) {
            riA[riType] >>= 1;
            riN[riType] >>= 1;
            riNn[riType] >>= 1;
        }
        riN[riType]++;
        int value;
        if (riType == 1) {
            value = reconstruct(ra, err);
        } else {
            value = reconstruct(rb, rb - ra < 0 ? -err : err);
        }
        cur[x + count + 1] = value;
        if (runIndex > 0) {
            runIndex--;
        }
        return count + 1;
    }

    /** A Golomb-coded mapped error value with escape after {@code glimit - qbpp - 1} zero bits. */
    private int golomb(int k, int glimit) throws IOException {
        int escape = glimit - qbpp - 1;
        int zeros = 0;
        while (readBit() == 0) {
            zeros++;
            if (zeros > escape) {
                throw error("unary code longer than the limit " + escape);
            }
        }
        if (zeros < escape) {
            return k == 0 ? zeros : (zeros << k) | readBits(k);
        }
        return readBits(qbpp) + 1;
    }

    private int readBit() throws IOException {
        if (bitCount == 0) {
            fill();
        }
        bitCount--;
        return (int) (bitBuffer >>> bitCount) & 1;
    }

    private int readBits(int count) throws IOException {
        int v = 0;
        for (int i = 0; i < count; i++) {
            v = (v << 1) | readBit();
        }
        return v;
    }

    /** Loads the next byte: after 0xFF only 7 bits carry data (the stuffed zero bit is dropped). */
    private void fill() throws IOException {
        if (bitPos >= data.length) {
            throw new IOException(what + ": JPEG-LS scan data ends early (byte " + bitPos + ")");
        }
        int v = data[bitPos] & 0xFF;
        if (lastWasFF) {
            if (v >= 0x80) {
                throw new IOException(what + ": JPEG-LS scan data ends at a marker (byte " + bitPos + ") before the image is complete");
            }
            bitBuffer = v;
            bitCount = 7;
        } else {
            bitBuffer = v;
            bitCount = 8;
        }
        lastWasFF = v == 0xFF;
        bitPos++;
    }
}
