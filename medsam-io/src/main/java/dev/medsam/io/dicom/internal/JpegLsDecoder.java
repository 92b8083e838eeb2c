package dev.medsam.io.dicom.internal;

import java.io.IOException;

/** Placeholder replaced below. */
final class JpegLsDecoder {
    private JpegLsDecoder() {
    }

    static void decodeInto(byte[] frame, PixelModule m, byte[] out, int offset, String what) throws IOException {
        throw new IOException(what + ": unsupported transfer syntax 1.2.840.10008.1.2.4.80 (JPEG-LS lossless)");
    }
}
