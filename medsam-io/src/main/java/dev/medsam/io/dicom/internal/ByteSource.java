package dev.medsam.io.dicom.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A forward-only reader over a DICOM byte stream that counts its position, so that every error can name the byte
 * offset, and that knows how many bytes may still come (the file size), so that no declared length can make it
 * allocate more than the file holds.
 */
final class ByteSource implements java.io.Closeable {

    /** Bytes read at once when a length cannot be checked against a known end (deflated streams). */
    private static final int CHUNK = 1 << 16;

    private final InputStream in;
    private final String source;
    private final long limit;
    private long pos;

    /**
     * @param in     the stream; must support mark/reset (for {@link #atEnd()})
     * @param source the file name for messages
     * @param start  the offset of the stream's first byte in the file (or in the inflated stream)
     * @param limit  the offset just past the last byte, or {@link Long#MAX_VALUE} if unknown
     */
    ByteSource(InputStream in, String source, long start, long limit) {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("stream must support mark");
        }
        this.in = in;
        this.source = source;
        this.pos = start;
        this.limit = limit;
    }

    long position() {
        return pos;
    }

    /** Offset just past the last byte, or {@link Long#MAX_VALUE} when the end is unknown. */
    long limit() {
        return limit;
    }

    String source() {
        return source;
    }

    /** Whether no byte is left. */
    boolean atEnd() throws IOException {
        if (pos >= limit) {
            return true;
        }
        in.mark(1);
        int b = in.read();
        in.reset();
        return b < 0;
    }

    int u8() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException(source + ": unexpected end of data at byte offset " + pos);
        }
        pos++;
        return b;
    }

    int u16(boolean bigEndian) throws IOException {
        int a = u8();
        int b = u8();
        return bigEndian ? (a << 8) | b : (b << 8) | a;
    }

    long u32(boolean bigEndian) throws IOException {
        long a = u16(bigEndian);
        long b = u16(bigEndian);
        return bigEndian ? (a << 16) | b : (b << 16) | a;
    }

    /** Reads exactly {@code n} bytes; {@code what} names the element for the error message. */
    byte[] bytes(long n, String what) throws IOException {
        if (n < 0 || n > Integer.MAX_VALUE - 16) {
            throw new IOException(source + ": " + what + " at byte offset " + pos + " declares " + n
                    + " bytes, more than can be read");
        }
        if (pos + n > limit) {
            throw new IOException(source + ": " + what + " at byte offset " + pos + " declares " + n
                    + " bytes, past the end of the data (" + limit + " bytes)");
        }
        byte[] out;
        if (limit != Long.MAX_VALUE) {
            out = in.readNBytes((int) n);
        } else {
            // Unknown end: read in chunks so a lying length costs no more memory than the data really there.
            java.io.ByteArrayOutputStream acc = new java.io.ByteArrayOutputStream((int) Math.min(n, CHUNK));
            long left = n;
            byte[] buf = new byte[(int) Math.min(n, CHUNK)];
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(left, buf.length));
                if (r < 0) {
                    break;
                }
                acc.write(buf, 0, r);
                left -= r;
            }
            out = acc.toByteArray();
        }
        if (out.length != n) {
            throw new EOFException(source + ": " + what + " at byte offset " + pos + " declares " + n
                    + " bytes but the data ends after " + out.length);
        }
        pos += n;
        return out;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    void skip(long n, String what) throws IOException {
        if (n < 0 || pos + n > limit) {
            throw new IOException(source + ": " + what + " at byte offset " + pos + " declares " + n
                    + " bytes, past the end of the data");
        }
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException(source + ": " + what + " at byte offset " + pos + " runs past the end of the data");
                }
                s = 1;
            }
            left -= s;
        }
        pos += n;
    }
}
