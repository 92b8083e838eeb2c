package dev.medsam.io;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files completely or not at all, as every medsam writer does: the content goes to a hidden temporary
 * file in the target's folder (so that the final move stays on one file system), is flushed to disk, and is
 * then moved over the target, atomically where the file system allows it. A failure part-way deletes the
 * temporary file and leaves an existing target untouched.
 *
 * <p>Thread-safe (stateless); two threads writing one target at the same time each write a complete file, and
 * the later move wins. Example:
 * <pre>{@code
 * AtomicFiles.write(Path.of("report.json"), out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
 * }</pre>
 */
public final class AtomicFiles {

    /** An action on a value that may fail with an {@link IOException}. */
    @FunctionalInterface
    public interface IOConsumer<T> {
        void accept(T value) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} with the bytes {@code content} writes to the stream it is given. The stream is
     * buffered and belongs to this method: {@code content} need not flush it, and closing it has no effect
     * beyond a flush. The temporary file gets the permissions a new file gets in that folder (the umask).
     *
     * @throws IOException if {@code target} is a folder or has no parent folder, or writing or moving fails
     *                     (including any IOException {@code content} throws); no partial file is left
     */
    public static void write(Path target, IOConsumer<? super OutputStream> content) throws IOException {
        Objects.requireNonNull(content, "content");
        Path abs = checkTarget(target);
        Path tmp = createHidden(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream file = new BufferedOutputStream(new NonClosing(Channels.newOutputStream(channel)), 1 << 16);
                content.accept(new NonClosing(file));
                file.flush();
                channel.force(true);
            }
            moveIntoPlace(tmp, abs);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Writes several files so that they appear together: each writer writes its file to a hidden staging file
     * beside its target (named {@code .<random>-<target name>}, so writers that choose the format by the file
     * name still work), and only when every one is written are they moved into place, in the map's order. If a
     * writer fails, every staging file is deleted and no target is touched. (Should a move itself fail, which on
     * one file system is as unlikely as a failed rename, the targets moved before it stay replaced.)
     *
     * @param files targets and the writers that write them (each to the path it is given, which is not the
     *              target); two entries may not name the same file
     * @throws IOException if a target is a folder or has no parent folder, or a writer or a move fails
     */
    public static void writeAll(Map<Path, ? extends IOConsumer<Path>> files) throws IOException {
        Objects.requireNonNull(files, "files");
        Map<Path, IOConsumer<Path>> targets = new LinkedHashMap<>();
        for (Map.Entry<Path, ? extends IOConsumer<Path>> e : files.entrySet()) {
            Path abs = checkTarget(e.getKey()).normalize();
            if (targets.put(abs, Objects.requireNonNull(e.getValue(), "writer of " + e.getKey())) != null) {
                throw new IllegalArgumentException(e.getKey() + " is given twice");
            }
        }
        List<Path> staged = new ArrayList<>(targets.size());
        boolean done = false;
        try {
            for (Map.Entry<Path, IOConsumer<Path>> e : targets.entrySet()) {
                Path target = e.getKey();
                Path stage = target.resolveSibling("." + randomHex() + "-" + target.getFileName());
                staged.add(stage);
                e.getValue().accept(stage);
            }
            int i = 0;
            for (Path target : targets.keySet()) {
                moveIntoPlace(staged.get(i++), target);
            }
            done = true;
        } finally {
            if (!done) {
                for (Path p : staged) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException suppressed) {
                        // best effort: the original failure is what the caller needs to see
                    }
                }
            }
        }
    }

    private static Path checkTarget(Path target) throws IOException {
        Path abs = Objects.requireNonNull(target, "target").toAbsolutePath();
        if (abs.getParent() == null) {
            throw new IOException(target + ": has no parent folder to write into");
        }
        if (Files.isDirectory(abs)) {
            throw new IOException(target + ": is a folder");
        }
        return abs;
    }

    /**
     * A new empty file {@code prefix + random + suffix} in {@code dir}. Created with CREATE_NEW rather than
     * Files.createTempFile so that its permissions follow the umask (createTempFile makes owner-only files,
     * and the file becomes the output).
     */
    private static Path createHidden(Path dir, String prefix, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = dir.resolve(prefix + randomHex() + suffix);
            try {
                Files.newByteChannel(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return candidate;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    private static String randomHex() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    private static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Keeps the content writer from closing the stream under us (we flush, force and close it ourselves). */
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
