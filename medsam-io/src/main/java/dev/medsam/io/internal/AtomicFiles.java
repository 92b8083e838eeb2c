package dev.medsam.io.internal;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a file completely or not at all: the content goes to a temporary file in the target's folder, is
 * flushed to disk, and is then moved over the target. A failure part-way deletes the temporary file and
 * leaves any existing target untouched.
 */
public final class AtomicFiles {

    /** What writes the content. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes {@code target} atomically; with {@code gzip} the bytes {@code body} writes are gzip-compressed. */
    public static void write(Path target, boolean gzip, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null) {
            throw new IOException(target + ": has no parent folder to write into");
        }
        if (Files.isDirectory(abs)) {
            throw new IOException(target + ": is a folder");
        }
        Path tmp = null;
        // Created with CREATE_NEW rather than Files.createTempFile so that the permissions follow the umask
        // (createTempFile makes owner-only files).
        for (int attempt = 0; tmp == null; attempt++) {
            Path candidate = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(
                    ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ".tmp");
            try {
                Files.newByteChannel(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                tmp = candidate;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream file = new BufferedOutputStream(new NonClosing(Channels.newOutputStream(channel)), 1 << 16);
                if (gzip) {
                    GZIPOutputStream gz = new GZIPOutputStream(file, 1 << 16);
                    body.write(new NonClosing(gz));
                    gz.finish();
                } else {
                    body.write(new NonClosing(file));
                }
                file.flush();
                channel.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Keeps a body from closing the stream under us (we flush, force and close it ourselves). */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
