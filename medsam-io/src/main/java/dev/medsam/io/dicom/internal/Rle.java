package dev.medsam.io.dicom.internal;

import java.io.IOException;

/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of up to 15 segment offsets, then one PackBits segment per
 * byte plane, most significant byte of each sample first, sample after sample.
 */
final class Rle {

    private Rle() {
    }

    static void decode(byte[] frame, PixelModule m, byte[] out, int offset, String what) throws IOException {
        if (frame.length < 64) {
            throw new IOException(what + ": RLE frame has " + frame.length + " bytes, less than its 64-byte header");
        }
        int bps = m.dataType().bytes();
        int spp = m.samplesPerPixel();
        long segments = u32(frame, 0);
        if (segments != (long) bps * spp) {
            throw new IOException(what + ": RLE header declares " + segments + " segments; " + spp + " sample(s) of "
                    + m.bitsAllocated() + " bits need " + bps * spp);
        }
        int pixels = m.rows() * m.columns();
        int n = (int) segments;
        long[] starts = new long[n + 1];
        for (int i = 0; i < n; i++) {
            starts[i] = u32(frame, 4 + 4 * i);
            if (starts[i] < 64 || starts[i] > frame.length || (i > 0 && starts[i] < starts[i - 1])) {
                throw new IOException(what + ": RLE segment " + (i + 1) + " offset " + starts[i]
                        + " is outside the frame's " + frame.length + " bytes or before the previous segment");
            }
        }
        starts[n] = frame.length;
        for (int seg = 0; seg < n; seg++) {
            int sample = seg / bps;
            int byteIndex = bps - 1 - seg % bps;
            int stride = spp * bps;
            int dst = offset + sample * bps + byteIndex;
            int produced = 0;
            int p = (int) starts[seg];
            int end = (int) starts[seg + 1];
            while (produced < pixels && p < end) {
                int c = frame[p++];
                if (c >= 0) {
                    int count = c + 1;
                    if (p + count > end || produced + count > pixels) {
                        throw new IOException(what + ": RLE segment " + (seg + 1) + " literal run at byte " + (p - 1)
                                + " runs past the segment or the frame");
                    }
                    for (int k = 0; k < count; k++) {
                        out[dst + (produced++) * stride] = frame[p++];
                    }
                } else if (c != -128) {
                    int count = 1 - c;
                    if (p >= end || produced + count > pixels) {
                        throw new IOException(what + ": RLE segment " + (seg + 1) + " replicate run at byte " + (p - 1)
                                + " runs past the segment or the frame");
                    }
                    byte v = frame[p++];
                    for (int k = 0; k < count; k++) {
                        out[dst + (produced++) * stride] = v;
                    }
                }
            }
            if (produced != pixels) {
                throw new IOException(what + ": RLE segment " + (seg + 1) + " decodes to " + produced + " bytes, expected "
                        + pixels);
            }
        }
    }

    private static long u32(byte[] b, int i) {
        return (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24;
    }
}
