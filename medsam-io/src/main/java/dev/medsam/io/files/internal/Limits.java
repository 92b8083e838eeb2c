package dev.medsam.io.files.internal;

import dev.medsam.io.files.MalformedImageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * The memory policy of every reader in medsam-io, checked before allocating so that a small or hostile file can
 * never make a reader allocate gigabytes or run the heap out:
 * <ol>
 *   <li>Only regular files are read ({@link #requireRegularFile}): a FIFO would block, a device has no end.</li>
 *   <li>One allocation is bounded by what the file can hold ({@link #checkAllocation}): a stored payload is no
 *       larger than the bytes that hold it, and DEFLATE expands data by at most about 1032:1 (a 258-byte match
 *       coded in one bit) - the inflate budget, {@link #inflateBound}.</li>
 *   <li>Every allocation is bounded by the heap ({@link #checkHeap}): an estimate from the header against
 *       {@link Runtime#maxMemory()}, failing with "this image needs N GB, the JVM may use M GB: raise -Xmx or
 *       MEDSAM_JAVA_OPTS" instead of an OutOfMemoryError half-way through.</li>
 *   <li>The values one file keeps, across all its elements, share one budget ({@link Budget}), so that many
 *       elements each under a per-element cap cannot add up to gigabytes.</li>
 *   <li>Data after what the format needs is not read: at most {@link #TRAILING_CHECK_BYTES} more are read to
 *       check a gzip stream's CRC.</li>
 * </ol>
 * A reader for a new format calls {@code requireRegularFile(file)} first, {@code checkAllocation} with its
 * header's size before allocating the pixel array, and charges a {@link Budget} for anything else it keeps.
 * Stateless and thread-safe.
 */
public final class Limits {

    /** Most bytes that one compressed byte of a DEFLATE (gzip, zip, PNG) stream can decode to. */
    public static final long MAX_INFLATE_RATIO = 1032;

    /** Slack for headers and tiny files, so that a 40-byte valid file is never rejected by the ratio. */
    public static final long SLACK_BYTES = 1 << 16;

    /** Most bytes one array may hold (a Java array's limit, as {@code MedicalImage.MAX_BYTES}). */
    public static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 16;

    /**
     * How many times the raw pixel bytes a read of an image holds at its peak: the decoded array plus the
     * {@code MedicalImage} built from it (a copy when the type or the axis order changes).
     */
    public static final int IMAGE_COPIES = 2;

    /** Most bytes read past the image data of a gzip stream to reach (and check) its CRC. */
    public static final long TRAILING_CHECK_BYTES = 1 << 20;

    private Limits() {
    }

    /**
     * Fails at once unless {@code file} is a regular file (after following links): a named pipe would block the
     * reader, a device never ends, and {@code <(cat x)} in a shell is a pipe too.
     *
     * @throws NoSuchFileException if it does not exist
     * @throws IOException         naming the file and what it is instead
     */
    public static void requireRegularFile(Path file) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw e;
        }
        if (a.isRegularFile()) {
            return;
        }
        String kind;
        if (a.isDirectory()) {
            kind = "a folder";
        } else {
            kind = "a named pipe, socket or device";
            try {
                Object mode = Files.getAttribute(file, "unix:mode");
                if (mode instanceof Integer m) {
                    int type = m & 0170000;
                    kind = type == 0010000 ? "a named pipe (FIFO)" : type == 0140000 ? "a socket"
                            : type == 0020000 ? "a character device" : type == 0060000 ? "a block device" : kind;
                }
            } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
                // no unix view: the general wording stays
            }
        }
        boolean link = Files.isSymbolicLink(file);
        throw new IOException(file + " is " + kind + (link ? " (through a link)" : "") + ", not a regular file; "
                + "medsam reads images and checkpoints only from regular files (save the data to a file first)");
    }

    /** The most the heap may grow to: {@link Runtime#maxMemory()}, in bytes. */
    public static long heapLimit() {
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * Fails unless {@code estimate} bytes can fit in the heap at all ({@link #heapLimit()}).
     *
     * @param what     what needs the memory, for the message ("image data", "array 'imgs'")
     * @param estimate bytes the read will hold at its peak, from the header (for an image, the pixel bytes times
     *                 {@link #IMAGE_COPIES})
     * @throws IOException "FILE: WHAT: this image needs N GB, the JVM may use M GB: raise -Xmx or
     *                     MEDSAM_JAVA_OPTS"
     */
    public static void checkHeap(Path file, String what, long estimate) throws IOException {
        long max = heapLimit();
        if (estimate > max || estimate < 0) {
            throw new IOException(file + ": " + what + ": this image needs " + gigabytes(estimate < 0 ? Long.MAX_VALUE
                    : estimate) + ", the JVM may use " + gigabytes(max) + ": raise -Xmx or MEDSAM_JAVA_OPTS");
        }
    }

    /** {@code bytes} as "1.5 GB" (decimal, one decimal place; "0.1 GB" at least so that it never reads 0). */
    public static String gigabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", Math.max(0.1, bytes / 1e9));
    }

    /**
     * The bytes one file may make a reader keep, summed over all its elements (DICOM attributes, npz members):
     * no more than the file can hold and no more than the heap can give. Not thread-safe: one per read.
     */
    public static final class Budget {
        private final Path file;
        private final long limit;
        private final String why;
        private long used;

        /**
         * @param limit most bytes in total, from the file ({@link #inflateBound} of its size when compressed,
         *              else its size); the heap's limit applies as well
         * @param why   what {@code limit} is, for the message ("a 12000000-byte deflated file")
         */
        public Budget(Path file, long limit, String why) {
            this.file = file;
            this.limit = limit;
            this.why = why;
        }

        /** Counts {@code bytes} more for {@code what}; fails if the total passes the file's or the heap's bound. */
        public void charge(long bytes, String what) throws IOException {
            used = bytes < 0 || used > Long.MAX_VALUE - bytes ? Long.MAX_VALUE : used + bytes;
            if (used > limit) {
                throw new MalformedImageException(file, what + " brings the values read to " + used
                        + " bytes, more than " + why + " can hold (" + limit + ")");
            }
            // half the heap: the values are kept while the rest of the read (and the image) needs room too
            if (used > heapLimit() / 2) {
                checkHeap(file, what + " (values read so far: " + used + " bytes)", used * 2);
            }
        }

        /** Bytes charged so far. */
        public long used() {
            return used;
        }
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

    /**
     * {@link #checkAllocation} for an image's pixel array, then {@link #checkHeap} with {@link #IMAGE_COPIES}
     * times its size.
     */
    public static void checkImageAllocation(Path file, String what, long needed, long available, String why)
            throws IOException {
        checkAllocation(file, what, needed, available, why);
        checkHeap(file, what, Math.multiplyExact(needed, (long) IMAGE_COPIES));
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
