package dev.medsam.io.dicom.internal;

import java.io.IOException;

/**
 * A sequential-DCT Huffman JPEG decoder (ITU-T T.81 processes 1, 2 and 4: SOF0 and SOF1, 8- or 12-bit precision),
 * written because the JDK's JPEG decoder (which TwelveMonkeys' reader also uses for DCT data) refuses 12-bit
 * samples, the usual content of DICOM's JPEG Extended transfer syntax (1.2.840.10008.1.2.4.51).
 *
 * <p>The inverse DCT is the integer "islow" algorithm of the IJG libjpeg 6b ({@code jidctint.c}), including its
 * rounding, its pass-1 scaling (2 bits for 8-bit data, 1 bit for 12-bit) and its wrap-around range limiting, so the
 * samples are bit-exact to what DCMTK ({@code dcmdjpeg}) and GDCM decode with their IJG builds. Restart intervals,
 * multiple scans and any number of components up to 4 are decoded; output needs every component at the full
 * resolution (sampling factors 1x1), except for a single component, whose factors do not matter. Colour
 * components are delivered as coded (no YCbCr conversion): callers use this decoder for grey data and for RGB
 * data that the photometric interpretation and markers say is not colour-transformed.
 *
 * <p>Every malformed stream ends in an {@link IOException} naming what was wrong and where (the byte offset in the
 * frame); the work done is bounded by the stream and the frame size, so mangled input cannot loop.
 */
final class JpegDctDecoder {

    /** Zigzag position k to natural (row-major) index within the 8x8 block. */
    private static final int[] NATURAL = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
        21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53,
        60, 61, 54, 47, 55, 62, 63};

    private static final int CONST_BITS = 13;
    private static final long FIX_0_298631336 = 2446;
    private static final long FIX_0_390180644 = 3196;
    private static final long FIX_0_541196100 = 4433;
    private static final long FIX_0_765366865 = 6270;
    private static final long FIX_0_899976223 = 7373;
    private static final long FIX_1_175875602 = 9633;
    private static final long FIX_1_501321110 = 12299;
    private static final long FIX_1_847759065 = 15137;
    private static final long FIX_1_961570560 = 16069;
    private static final long FIX_2_053119869 = 16819;
    private static final long FIX_2_562915447 = 20995;
    private static final long FIX_3_072711026 = 25172;

    private final byte[] b;
    private final String what;
    private int pos;

    private final int[][] quant = new int[4][];
    private final Huffman[] dcTables = new Huffman[4];
    private final Huffman[] acTables = new Huffman[4];
    private int restartInterval;

    private int precision;
    private int width;
    private int height;
    private Component[] components;
    private int hmax;
    private int vmax;
    private int mcusX;
    private int mcusY;

    /** What {@link #probe} finds before the first scan. */
    record Info(int frameType, int precision, int width, int height, int[] componentIds, boolean jfif, int adobeTransform) {
    }

    private JpegDctDecoder(byte[] b, String what) {
        this.b = b;
        this.what = what;
    }

    /**
     * The frame header and colour markers of {@code stream}, or null if the stream has no SOF marker before its first
     * scan or is too malformed to tell (the caller's general decoder then reports the problem).
     * {@code adobeTransform} is -1 without an Adobe APP14 marker.
     */
    static Info probe(byte[] stream) {
        int p = 2;
        if (stream.length < 4 || (stream[0] & 0xFF) != 0xFF || (stream[1] & 0xFF) != 0xD8) {
            return null;
        }
        boolean jfif = false;
        int adobe = -1;
        while (p + 4 <= stream.length) {
            if ((stream[p] & 0xFF) != 0xFF) {
                return null;
            }
            int marker = stream[p + 1] & 0xFF;
            if (marker == 0xFF) {
                p++;
                continue;
            }
            int len = ((stream[p + 2] & 0xFF) << 8) | (stream[p + 3] & 0xFF);
            if (len < 2 || p + 2 + len > stream.length) {
                return null;
            }
            int s = p + 4;
            if (marker == 0xE0 && len >= 7 && stream[s] == 'J' && stream[s + 1] == 'F' && stream[s + 2] == 'I'
                    && stream[s + 3] == 'F' && stream[s + 4] == 0) {
                jfif = true;
            } else if (marker == 0xEE && len >= 14 && stream[s] == 'A' && stream[s + 1] == 'd' && stream[s + 2] == 'o'
                    && stream[s + 3] == 'b' && stream[s + 4] == 'e') {
                adobe = stream[s + 11] & 0xFF;
            } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                if (len < 8) {
                    return null;
                }
                int n = stream[s + 5] & 0xFF;
                if (len < 8 + 3 * n) {
                    return null;
                }
                int[] ids = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = stream[s + 6 + 3 * i] & 0xFF;
                }
                return new Info(marker, stream[s] & 0xFF, ((stream[s + 3] & 0xFF) << 8) | (stream[s + 4] & 0xFF),
                        ((stream[s + 1] & 0xFF) << 8) | (stream[s + 2] & 0xFF), ids, jfif, adobe);
            } else if (marker == 0xDA) {
                return null;
            }
            p += 2 + len;
        }
        return null;
    }

    /**
     * Decodes one frame into {@code out} at {@code offset}: samples of {@code m.dataType().bytes()} little-endian bytes,
     * the components of a pixel interleaved.
     */
    static void decodeInto(byte[] frame, PixelModule m, byte[] out, int offset, String what) throws IOException {
        Info info = probe(frame);
        if (info != null && m.samplesPerPixel() == 3 && transformed(info, m.photometric())) {
            // Colour conversion (and the chroma upsampling that comes with it) is left to ImageIO for 8-bit data;
            // 12-bit YCbCr is too rare in DICOM to carry a bit-exact converter for.
            throw new IOException(what + ": " + info.precision() + "-bit YCbCr colour JPEG is not supported (only grey "
                    + "12-bit JPEG and untransformed RGB)");
        }
        JpegDctDecoder d = new JpegDctDecoder(frame, what);
        int[][] planes = d.decode(m);
        int bps = m.dataType().bytes();
        int spp = m.samplesPerPixel();
        int p = offset;
        for (int y = 0; y < d.height; y++) {
            for (int x = 0; x < d.width; x++) {
                for (int c = 0; c < spp; c++) {
                    int v = planes[c][y * d.components[c].planeWidth + x];
                    for (int k = 0; k < bps; k++) {
                        out[p++] = (byte) (v >>> (8 * k));
                    }
                }
            }
        }
    }

    private int[][] decode(PixelModule m) throws IOException {
        if (u8() != 0xFF || u8() != 0xD8) {
            throw error(0, "does not start with an SOI marker (FFD8)");
        }
        boolean scanned = false;
        while (true) {
            int at = pos;
            int marker = nextMarker();
            switch (marker) {
                case 0xD9 -> {
                    if (!scanned) {
                        throw error(at, "ends (EOI) before any scan");
                    }
                    return planes();
                }
                case 0xC0, 0xC1 -> frameHeader(at, m);
                case 0xC4 -> huffmanTables(at);
                case 0xDB -> quantTables(at);
                case 0xDD -> {
                    int len = length(at);
                    if (len != 4) {
                        throw error(at, "DRI marker has length " + len + ", not 4");
                    }
                    restartInterval = u16();
                }
                case 0xDA -> {
                    scan(at);
                    scanned = true;
                }
                case 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF -> throw error(at,
                        String.format("uses SOF%d (FF%02X); this decoder reads only sequential Huffman DCT (SOF0, SOF1)",
                                marker - 0xC0, marker));
                case 0xDC -> throw error(at, "has a DNL marker; a height defined by DNL is not supported");
                default -> {
                    if ((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE) {
                        int len = length(at);
                        pos += len - 2;
                    } else if (marker >= 0xD0 && marker <= 0xD7) {
                        throw error(at, String.format("has a restart marker FF%02X outside a scan", marker));
                    } else {
                        throw error(at, String.format("has an unexpected marker FF%02X", marker));
                    }
                }
            }
        }
    }

    private int[][] planes() {
        int[][] out = new int[components.length][];
        for (int i = 0; i < components.length; i++) {
            out[i] = components[i].plane;
        }
        return out;
    }

    private void frameHeader(int at, PixelModule m) throws IOException {
        if (components != null) {
            throw error(at, "has a second frame header (SOF)");
        }
        int len = length(at);
        precision = u8();
        height = u16();
        width = u16();
        int n = u8();
        if (precision != 8 && precision != 12) {
            throw error(at, "has sample precision " + precision + "; sequential DCT JPEG allows 8 and 12");
        }
        if (n < 1 || n > 4 || len != 8 + 3 * n) {
            throw error(at, "frame header declares " + n + " components with length " + len);
        }
        if (width != m.columns() || height != m.rows()) {
            throw error(at, "the codestream is " + width + " x " + height + " pixels but Columns x Rows is "
                    + m.columns() + " x " + m.rows());
        }
        if (n != m.samplesPerPixel()) {
            throw error(at, "the codestream has " + n + " components but Samples per Pixel (0028,0002) is "
                    + m.samplesPerPixel());
        }
        if (precision > m.bitsAllocated()) {
            throw error(at, "the codestream has " + precision + "-bit samples but Bits Allocated (0028,0100) is "
                    + m.bitsAllocated());
        }
        components = new Component[n];
        for (int i = 0; i < n; i++) {
            int id = u8();
            int hv = u8();
            int tq = u8();
            int h = hv >> 4;
            int v = hv & 15;
            if (h < 1 || h > 4 || v < 1 || v > 4 || tq > 3) {
                throw error(at, "component " + id + " has sampling " + h + "x" + v + " and quantisation table " + tq);
            }
            components[i] = new Component(id, n == 1 ? 1 : h, n == 1 ? 1 : v, tq);
            hmax = Math.max(hmax, components[i].h);
            vmax = Math.max(vmax, components[i].v);
        }
        for (Component c : components) {
            if (c.h != hmax || c.v != vmax) {
                throw error(at, "component " + c.id + " is subsampled (" + c.h + "x" + c.v + " of " + hmax + "x" + vmax
                        + "); only full-resolution components are supported");
            }
        }
        mcusX = (width + 8 * hmax - 1) / (8 * hmax);
        mcusY = (height + 8 * vmax - 1) / (8 * vmax);
        for (Component c : components) {
            c.blocksX = mcusX * c.h;
            c.blocksY = mcusY * c.v;
            c.planeWidth = c.blocksX * 8;
            c.plane = new int[c.planeWidth * c.blocksY * 8];
            c.usedBlocksX = (width * c.h / hmax + 7) / 8;
            c.usedBlocksY = (height * c.v / vmax + 7) / 8;
        }
    }

    private void quantTables(int at) throws IOException {
        int end = at + 2 + length(at);
        while (pos < end) {
            int pt = u8();
            int pq = pt >> 4;
            int t = pt & 15;
            if (pq > 1 || t > 3) {
                throw error(pos - 1, "DQT declares table " + t + " with precision code " + pq);
            }
            if (pos + 64 * (pq + 1) > end) {
                throw error(pos - 1, "DQT table " + t + " runs past its marker segment");
            }
            int[] q = new int[64];
            for (int k = 0; k < 64; k++) {
                q[NATURAL[k]] = pq == 0 ? u8() : u16();
            }
            quant[t] = q;
        }
    }

    private void huffmanTables(int at) throws IOException {
        int end = at + 2 + length(at);
        while (pos < end) {
            int tcth = u8();
            int tc = tcth >> 4;
            int th = tcth & 15;
            if (tc > 1 || th > 3) {
                throw error(pos - 1, "DHT declares table class " + tc + " and index " + th);
            }
            int[] counts = new int[17];
            int total = 0;
            for (int l = 1; l <= 16; l++) {
                counts[l] = u8();
                total += counts[l];
            }
            if (total > 256 || pos + total > end) {
                throw error(at, "DHT table " + th + " declares " + total + " codes, more than its segment or 256");
            }
            int[] values = new int[total];
            for (int i = 0; i < total; i++) {
                values[i] = u8();
            }
            Huffman h = new Huffman(counts, values, at, this);
            if (tc == 0) {
                dcTables[th] = h;
            } else {
                acTables[th] = h;
            }
        }
    }

    private void scan(int at) throws IOException {
        if (components == null) {
            throw error(at, "has a scan (SOS) before the frame header (SOF)");
        }
        int len = length(at);
        int ns = u8();
        if (ns < 1 || ns > 4 || len != 6 + 2 * ns) {
            throw error(at, "SOS declares " + ns + " components with length " + len);
        }
        Component[] sc = new Component[ns];
        for (int i = 0; i < ns; i++) {
            int id = u8();
            int tables = u8();
            Component c = null;
            for (Component x : components) {
                if (x.id == id) {
                    c = x;
                }
            }
            if (c == null) {
                throw error(at, "SOS names component " + id + ", which the frame header does not declare");
            }
            int td = tables >> 4;
            int ta = tables & 15;
            if (td > 3 || ta > 3 || dcTables[td] == null || acTables[ta] == null) {
                throw error(at, "SOS names Huffman tables DC " + td + " and AC " + ta + " for component " + id
                        + ", which are not defined");
            }
            if (quant[c.tq] == null) {
                throw error(at, "component " + id + " uses quantisation table " + c.tq + ", which is not defined");
            }
            c.dc = dcTables[td];
            c.ac = acTables[ta];
            sc[i] = c;
        }
        int ss = u8();
        int se = u8();
        int a = u8();
        if (ss != 0 || se != 63 || a != 0) {
            throw error(at, "SOS has spectral selection " + ss + ".." + se + " and approximation " + a
                    + "; sequential DCT needs 0..63 and 0");
        }
        bitBuffer = 0;
        bitCount = 0;
        for (Component c : sc) {
            c.pred = 0;
        }
        int[] coef = new int[64];
        int[] ws = new int[64];
        int total;
        int perRow;
        if (ns == 1) {
            perRow = sc[0].usedBlocksX;
            total = perRow * sc[0].usedBlocksY;
        } else {
            perRow = mcusX;
            total = mcusX * mcusY;
        }
        int restarts = 0;
        for (int mcu = 0; mcu < total; mcu++) {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0) {
                restart(restarts++);
                for (Component c : sc) {
                    c.pred = 0;
                }
            }
            int mx = mcu % perRow;
            int my = mcu / perRow;
            if (ns == 1) {
                Component c = sc[0];
                block(c, coef, ws, mx, my);
            } else {
                for (Component c : sc) {
                    for (int v = 0; v < c.v; v++) {
                        for (int h = 0; h < c.h; h++) {
                            block(c, coef, ws, mx * c.h + h, my * c.v + v);
                        }
                    }
                }
            }
        }
        // Skip to the next marker; bytes between the last MCU and the marker are fill (or garbage libjpeg also skips).
        while (pos + 1 < b.length && !((b[pos] & 0xFF) == 0xFF && (b[pos + 1] & 0xFF) != 0 && (b[pos + 1] & 0xFF) != 0xFF
                && !((b[pos + 1] & 0xFF) >= 0xD0 && (b[pos + 1] & 0xFF) <= 0xD7))) {
            pos++;
        }
    }

    private void restart(int n) throws IOException {
        bitBuffer = 0;
        bitCount = 0;
        int at = pos;
        while (pos < b.length && (b[pos] & 0xFF) == 0xFF && pos + 1 < b.length && (b[pos + 1] & 0xFF) == 0xFF) {
            pos++;
        }
        if (pos + 1 >= b.length || (b[pos] & 0xFF) != 0xFF || (b[pos + 1] & 0xFF) != 0xD0 + (n & 7)) {
            throw error(at, String.format("expected restart marker FF%02X after %d intervals of %d MCUs", 0xD0 + (n & 7),
                    n + 1, restartInterval));
        }
        pos += 2;
    }

    private void block(Component c, int[] coef, int[] ws, int bx, int by) throws IOException {
        java.util.Arrays.fill(coef, 0);
        int t = c.dc.decode(this);
        if (t > 16) {
            throw error(pos, "DC difference category " + t + " is larger than 16");
        }
        int diff = t == 0 ? 0 : extend(bits(t), t);
        c.pred += diff;
        coef[0] = c.pred;
        for (int k = 1; k < 64; ) {
            int rs = c.ac.decode(this);
            int r = rs >> 4;
            int s = rs & 15;
            if (s == 0) {
                if (r != 15) {
                    break;
                }
                k += 16;
                continue;
            }
            k += r;
            if (k > 63) {
                throw error(pos, "AC coefficients run past the end of the block (index " + k + ")");
            }
            coef[NATURAL[k]] = extend(bits(s), s);
            k++;
        }
        idct(coef, quant[c.tq], ws, c.plane, by * 8 * c.planeWidth + bx * 8, c.planeWidth);
    }

    private static int extend(int v, int s) {
        return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
    }

    private long descale(long x, int n) {
        return (x + (1L << (n - 1))) >> n;
    }

    /** libjpeg 6b's jpeg_idct_islow with its output range limiting (see the class comment). */
    private void idct(int[] in, int[] q, int[] ws, int[] out, int outOffset, int stride) {
        int pass1 = precision == 8 ? 2 : 1;
        for (int col = 0; col < 8; col++) {
            if (in[8 + col] == 0 && in[16 + col] == 0 && in[24 + col] == 0 && in[32 + col] == 0 && in[40 + col] == 0
                    && in[48 + col] == 0 && in[56 + col] == 0) {
                int dc = (int) (((long) in[col] * q[col]) << pass1);
                for (int r = 0; r < 8; r++) {
                    ws[r * 8 + col] = dc;
                }
                continue;
            }
            long z2 = (long) in[16 + col] * q[16 + col];
            long z3 = (long) in[48 + col] * q[48 + col];
            long z1 = (z2 + z3) * FIX_0_541196100;
            long tmp2 = z1 + z3 * -FIX_1_847759065;
            long tmp3 = z1 + z2 * FIX_0_765366865;
            z2 = (long) in[col] * q[col];
            z3 = (long) in[32 + col] * q[32 + col];
            long tmp0 = (z2 + z3) << CONST_BITS;
            long tmp1 = (z2 - z3) << CONST_BITS;
            long tmp10 = tmp0 + tmp3;
            long tmp13 = tmp0 - tmp3;
            long tmp11 = tmp1 + tmp2;
            long tmp12 = tmp1 - tmp2;
            tmp0 = (long) in[56 + col] * q[56 + col];
            tmp1 = (long) in[40 + col] * q[40 + col];
            tmp2 = (long) in[24 + col] * q[24 + col];
            tmp3 = (long) in[8 + col] * q[8 + col];
            long[] o = odd(tmp0, tmp1, tmp2, tmp3);
            int sh = CONST_BITS - pass1;
            ws[col] = (int) descale(tmp10 + o[3], sh);
            ws[56 + col] = (int) descale(tmp10 - o[3], sh);
            ws[8 + col] = (int) descale(tmp11 + o[2], sh);
            ws[48 + col] = (int) descale(tmp11 - o[2], sh);
            ws[16 + col] = (int) descale(tmp12 + o[1], sh);
            ws[40 + col] = (int) descale(tmp12 - o[1], sh);
            ws[24 + col] = (int) descale(tmp13 + o[0], sh);
            ws[32 + col] = (int) descale(tmp13 - o[0], sh);
        }
        int max = (1 << precision) - 1;
        int center = 1 << (precision - 1);
        int range = 4 * (max + 1);
        int sh = CONST_BITS + pass1 + 3;
        for (int row = 0; row < 8; row++) {
            int w = row * 8;
            int o0 = outOffset + row * stride;
            if (ws[w + 1] == 0 && ws[w + 2] == 0 && ws[w + 3] == 0 && ws[w + 4] == 0 && ws[w + 5] == 0 && ws[w + 6] == 0
                    && ws[w + 7] == 0) {
                int v = limit(descale(ws[w], pass1 + 3), max, center, range);
                for (int i = 0; i < 8; i++) {
                    out[o0 + i] = v;
                }
                continue;
            }
            long z2 = ws[w + 2];
            long z3 = ws[w + 6];
            long z1 = (z2 + z3) * FIX_0_541196100;
            long tmp2 = z1 + z3 * -FIX_1_847759065;
            long tmp3 = z1 + z2 * FIX_0_765366865;
            long tmp0 = ((long) ws[w] + ws[w + 4]) << CONST_BITS;
            long tmp1 = ((long) ws[w] - ws[w + 4]) << CONST_BITS;
            long tmp10 = tmp0 + tmp3;
            long tmp13 = tmp0 - tmp3;
            long tmp11 = tmp1 + tmp2;
            long tmp12 = tmp1 - tmp2;
            long[] o = odd(ws[w + 7], ws[w + 5], ws[w + 3], ws[w + 1]);
            out[o0] = limit(descale(tmp10 + o[3], sh), max, center, range);
            out[o0 + 7] = limit(descale(tmp10 - o[3], sh), max, center, range);
            out[o0 + 1] = limit(descale(tmp11 + o[2], sh), max, center, range);
            out[o0 + 6] = limit(descale(tmp11 - o[2], sh), max, center, range);
            out[o0 + 2] = limit(descale(tmp12 + o[1], sh), max, center, range);
            out[o0 + 5] = limit(descale(tmp12 - o[1], sh), max, center, range);
            out[o0 + 3] = limit(descale(tmp13 + o[0], sh), max, center, range);
            out[o0 + 4] = limit(descale(tmp13 - o[0], sh), max, center, range);
        }
    }

    /** The odd part of the 8-point IDCT: returns tmp0..tmp3 of jidctint.c. */
    private static long[] odd(long tmp0, long tmp1, long tmp2, long tmp3) {
        long z1 = tmp0 + tmp3;
        long z2 = tmp1 + tmp2;
        long z3 = tmp0 + tmp2;
        long z4 = tmp1 + tmp3;
        long z5 = (z3 + z4) * FIX_1_175875602;
        tmp0 *= FIX_0_298631336;
        tmp1 *= FIX_2_053119869;
        tmp2 *= FIX_3_072711026;
        tmp3 *= FIX_1_501321110;
        z1 *= -FIX_0_899976223;
        z2 *= -FIX_2_562915447;
        z3 *= -FIX_1_961570560;
        z4 *= -FIX_0_390180644;
        z3 += z5;
        z4 += z5;
        return new long[] {tmp0 + z1 + z3, tmp1 + z2 + z4, tmp2 + z2 + z3, tmp3 + z1 + z4};
    }

    /**
     * libjpeg's post-IDCT range limit: the value is taken modulo 4 x 2^precision (its RANGE_MASK), read as signed in
     * -2 x 2^precision .. 2 x 2^precision - 1, shifted by the centre and clamped; corrupt coefficients therefore wrap
     * exactly as they do in the reference decoders.
     */
    private static int limit(long v, int max, int center, int range) {
        int x = (int) (v & (range - 1));
        int s = x < range / 2 ? x : x - range;
        int r = s + center;
        return r < 0 ? 0 : Math.min(r, max);
    }

    // --- bit reading -------------------------------------------------------------------------------------------

    private int bitBuffer;
    private int bitCount;

    private int bit() throws IOException {
        if (bitCount == 0) {
            if (pos >= b.length) {
                throw error(pos, "entropy-coded data ends early, in the middle of a block");
            }
            int v = b[pos] & 0xFF;
            if (v == 0xFF) {
                int next = pos + 1 < b.length ? b[pos + 1] & 0xFF : -1;
                if (next != 0) {
                    throw error(pos, String.format("entropy-coded data ends early at marker FF%02X, in the middle of "
                            + "a block", Math.max(next, 0)));
                }
                pos += 2;
            } else {
                pos++;
            }
            bitBuffer = v;
            bitCount = 8;
        }
        bitCount--;
        return (bitBuffer >> bitCount) & 1;
    }

    private int bits(int n) throws IOException {
        int v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 1) | bit();
        }
        return v;
    }

    // --- marker segments ---------------------------------------------------------------------------------------

    private int nextMarker() throws IOException {
        if (pos >= b.length) {
            throw error(pos, "ends without an EOI marker (FFD9)");
        }
        if ((b[pos] & 0xFF) != 0xFF) {
            throw error(pos, String.format("has byte %02X where a marker should start", b[pos] & 0xFF));
        }
        while (pos < b.length && (b[pos] & 0xFF) == 0xFF) {
            pos++;
        }
        if (pos >= b.length) {
            throw error(pos, "ends without an EOI marker (FFD9)");
        }
        return b[pos++] & 0xFF;
    }

    private int length(int at) throws IOException {
        int len = u16();
        if (len < 2 || at + 2 + len > b.length) {
            throw error(at, "marker segment length " + len + " runs past the end of the " + b.length + "-byte stream");
        }
        return len;
    }

    private int u8() throws IOException {
        if (pos >= b.length) {
            throw error(pos, "ends early");
        }
        return b[pos++] & 0xFF;
    }

    private int u16() throws IOException {
        return (u8() << 8) | u8();
    }

    /**
     * Whether a JPEG frame should go through this decoder rather than ImageIO: 12-bit sequential DCT (which ImageIO
     * cannot decode), and 3-component sequential DCT that is not colour-transformed. For the latter the readers the
     * issue compares with (libjpeg in GDCM and DCMTK, Pillow in pydicom) follow an Adobe APP14 marker when there is
     * one, else take components 'R','G','B' or a Photometric Interpretation of RGB as untransformed; the JDK would
     * convert such data from YCbCr, turning it magenta.
     */
    static boolean handles(Info info, PixelModule m) {
        if (info == null || (info.frameType() != 0xC0 && info.frameType() != 0xC1)) {
            return false;
        }
        if (info.precision() == 12) {
            return true;
        }
        return m.samplesPerPixel() == 3 && info.componentIds().length == 3 && !transformed(info, m.photometric());
    }

    /** Whether the three components of {@code info} are YCbCr that a decoder converts to RGB. */
    static boolean transformed(Info info, String photometric) {
        if (info.adobeTransform() >= 0) {
            return info.adobeTransform() != 0;
        }
        int[] id = info.componentIds();
        if (id.length == 3 && id[0] == 'R' && id[1] == 'G' && id[2] == 'B') {
            return false;
        }
        return !"RGB".equals(photometric.trim());
    }

    private IOException error(int at, String message) {
        return new IOException(what + ": JPEG stream at byte " + at + " " + message);
    }

    private static final class Component {
        final int id;
        final int h;
        final int v;
        final int tq;
        Huffman dc;
        Huffman ac;
        int pred;
        int blocksX;
        int blocksY;
        int usedBlocksX;
        int usedBlocksY;
        int planeWidth;
        int[] plane;

        Component(int id, int h, int v, int tq) {
            this.id = id;
            this.h = h;
            this.v = v;
            this.tq = tq;
        }
    }

    /** A Huffman table in the form of T.81 Annex F.2.2.3 (MAXCODE, VALPTR, MINCODE). */
    private static final class Huffman {
        final int[] maxCode = new int[18];
        final int[] valPtr = new int[17];
        final int[] minCode = new int[17];
        final int[] values;

        Huffman(int[] counts, int[] values, int at, JpegDctDecoder d) throws IOException {
            this.values = values;
            int code = 0;
            int k = 0;
            for (int l = 1; l <= 16; l++) {
                valPtr[l] = k;
                minCode[l] = code;
                code += counts[l];
                k += counts[l];
                maxCode[l] = counts[l] == 0 ? -1 : code - 1;
                if (code > (1 << l)) {
                    throw d.error(at, "DHT code lengths over-subscribe the " + l + "-bit codes");
                }
                code <<= 1;
            }
            maxCode[17] = Integer.MAX_VALUE;
        }

        int decode(JpegDctDecoder d) throws IOException {
            int code = d.bit();
            int l = 1;
            while (code > maxCode[l]) {
                if (l == 16) {
                    throw d.error(d.pos, "has a Huffman code longer than 16 bits");
                }
                code = (code << 1) | d.bit();
                l++;
            }
            return values[valPtr[l] + code - minCode[l]];
        }
    }
}
