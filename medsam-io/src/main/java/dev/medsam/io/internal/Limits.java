package dev.medsam.io.internal;

import dev.medsam.io.MalformedImageException;

import java.nio.file.Path;

/**
 * Bounds that readers check before allocating, so that a small corrupt file can never make them allocate
 * gigabytes: a stored (uncompressed) payload cannot be larger than the bytes that hold it, and DEFLATE cannot
 * expand data by more than about 1032:1 (a 258-byte match coded in one bit, in the best case).
 */
public final class Limits {

    /** Most bytes that one compressed byte of a DEFLATE (gzip, zip, PNG) stream can decode to. */
    public static final long MAX_INFLATE_RATIO = 1032;

    /** Slack for headers and tiny files, so that a 40-byte valid file is never rejected by the ratio. */
    public static final long SLACK_BYTES = 1 << 16;

    /** Most bytes one array may hold (a Java array's limit, as {@code MedicalImage.MAX_BYTES}). */
    public static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 16;

    private Limits() {
    }

    /** How many bytes {@code compressedBytes} of DEFLATE data can decode to at most. */
    public static long inflateBound(long compressedBytes) {
        if (compressedBytes > (Long.MAX_VALUE - SLACK_BYTES) / MAX_INFLATE_RATIO) {
            return Long.MAX_VALUE;
        }
        return compressedBytes * MAX_INFLATE_RATIO + SLACK_BYTES;
    }

    /**
     * Fails unless {@code needed} bytes fit in one Java array and within {@code available}, the most the file
     * can hold.
     *
     * @param what what is being allocated, for the message ("image data", "array 'imgs'")
     * @param why  what {@code available} is, for the message ("the file has 1234 bytes after the header")
     */
    public static void checkAllocation(Path file, String what, long needed, long available, String why)
            throws MalformedImageException {
        if (needed < 0) {
            throw new MalformedImageException(file, what + " has a negative or overflowing size");
        }
        if (needed > MAX_ARRAY_BYTES) {
            throw new MalformedImageException(file, what + " needs " + needed + " bytes, more than the "
                    + MAX_ARRAY_BYTES + " one array can hold");
        }
        if (needed > available) {
            throw new MalformedImageException(file, what + " needs " + needed + " bytes but " + why);
        }
    }

    /** {@code a * b}, or -1 if it overflows or either is negative. */
    public static long multiply(long a, long b) {
        if (a < 0 || b < 0) {
            return -1;
        }
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return -1;
        }
    }
}
