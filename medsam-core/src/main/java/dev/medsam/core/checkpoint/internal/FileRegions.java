package dev.medsam.core.checkpoint.internal;

import dev.medsam.core.checkpoint.CheckpointException;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Read access to byte ranges of one checkpoint file. Small ranges (headers, pickles) are read onto the heap;
 * tensor data is memory-mapped so that float32 tensors can be handed out without a copy. Files up to 2 GiB are
 * mapped once as a whole (one mapping, however many tensors); larger files are mapped per requested region.
 *
 * <p>Mappings stay valid after {@link #close()} (they are released when no buffer refers to them any more).
 * Every request is bounds-checked against the file size first, so a corrupt header can never make this read
 * or allocate more than the file holds. Not thread-safe.
 */
public final class FileRegions implements Closeable {

    /** Regions smaller than this are copied rather than mapped on files too big for one mapping. */
    private static final int SMALL_REGION = 1 << 20;
    /** Largest file mapped as a whole: the most a single Java buffer can address. */
    private static final long WHOLE_FILE_LIMIT = Integer.MAX_VALUE;

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final long wholeFileLimit;
    private MappedByteBuffer whole;

    private FileRegions(Path file, FileChannel channel, long size, long wholeFileLimit) {
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.wholeFileLimit = wholeFileLimit;
    }

    /** Opens {@code file} for reading. */
    public static FileRegions open(Path file) throws IOException {
        return open(file, WHOLE_FILE_LIMIT);
    }

    /** As {@link #open(Path)}, mapping the file as a whole only up to {@code wholeFileLimit} bytes (for tests). */
    static FileRegions open(Path file, long wholeFileLimit) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new FileRegions(file, ch, ch.size(), wholeFileLimit);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The file, for messages. */
    public Path file() {
        return file;
    }

    /** File size in bytes. */
    public long size() {
        return size;
    }

    /**
     * {@code length} bytes at {@code offset}, read onto the heap, little-endian.
     *
     * @param what what the bytes are, for the error message
     */
    public ByteBuffer read(long offset, long length, String what) throws IOException {
        check(offset, length, what);
        if (length > Integer.MAX_VALUE - 16) {
            throw new CheckpointException(file + ": " + what + " is too large (" + length + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) length);
        long at = offset;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at);
            if (n < 0) {
                throw new EOFException(file + ": unexpected end of file reading " + what + " at offset " + at);
            }
            at += n;
        }
        return buf.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * {@code length} bytes at {@code offset} as a read-only buffer in the given byte order: a view of a memory
     * mapping when possible, else a heap copy.
     *
     * @param what what the bytes are, for the error message
     */
    public ByteBuffer region(long offset, long length, ByteOrder order, String what) throws IOException {
        check(offset, length, what);
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException(file + ": " + what + " is larger than 2 GiB (" + length
                    + " bytes), which a Java buffer cannot hold");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0).order(order).asReadOnlyBuffer().order(order);
        }
        ByteBuffer view;
        if (size <= wholeFileLimit) {
            if (whole == null) {
                whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            }
            view = whole.slice((int) offset, (int) length);
        } else if (length < SMALL_REGION) {
            view = read(offset, length, what);
        } else {
            view = channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
        }
        return view.asReadOnlyBuffer().order(order);
    }

    private void check(long offset, long length, String what) throws CheckpointException {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new CheckpointException(file + ": " + what + " (" + length + " bytes at offset " + offset
                    + ") lies outside the file (" + size + " bytes); the file is truncated or corrupt");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
