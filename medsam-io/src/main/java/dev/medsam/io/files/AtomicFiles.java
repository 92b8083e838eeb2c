package dev.medsam.io.files;

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
 * <p>Staging files are named {@code .medsam-stage-<hex>-<target name>} (see {@link #STAGING_PREFIX}). A process
 * killed while writing leaves one behind; the first write into a folder in each process deletes the staging files
 * there that match this pattern and are older than {@link #STALE_AFTER} (so that writes in flight elsewhere are
 * never touched), and nothing else.
 *
 * <p>Thread-safe; two threads writing one target at the same time each write a complete file, and
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

    /** How every staging file's name starts, so that one left by a killed process can be told from user files. */
    public static final String STAGING_PREFIX = ".medsam-stage-";

    /** Age after which a staging file can only belong to a write that died (writes take seconds, not minutes). */
    public static final java.time.Duration STALE_AFTER = java.time.Duration.ofMinutes(10);

    private static final java.util.regex.Pattern STAGING_NAME =
            java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(STAGING_PREFIX) + "[0-9a-f]{1,16}-.+");
    private static final System.Logger LOG = System.getLogger(AtomicFiles.class.getName());
    /** Folders already cleaned by this process: one listing per folder, not one per write. */
    private static final java.util.Set<Path> CLEANED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private AtomicFiles() {
    }

    /** Whether {@code fileName} is the name of one of our staging files. */
    public static boolean isStagingName(String fileName) {
        return STAGING_NAME.matcher(fileName).matches();
    }

    /**
     * Deletes the staging files in {@code folder} that match {@link #STAGING_PREFIX} and were last modified more
     * than {@code olderThan} ago; other files are never touched. Failures are logged, not thrown: cleaning up
     * is a courtesy, never a reason for the write itself to fail.
     *
     * @return how many files were deleted
     */
    public static int cleanStaleStagingFiles(Path folder, java.time.Duration olderThan) {
        Objects.requireNonNull(olderThan, "olderThan");
        java.nio.file.attribute.FileTime cutoff = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(olderThan));
        int deleted = 0;
        try (java.nio.file.DirectoryStream<Path> stream = Files.newDirectoryStream(folder, STAGING_PREFIX + "*")) {
            for (Path p : stream) {
                try {
                    java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(p,
                            java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    if (a.isRegularFile() && isStagingName(p.getFileName().toString())
                            && a.lastModifiedTime().compareTo(cutoff) < 0 && Files.deleteIfExists(p)) {
                        deleted++;
                        LOG.log(System.Logger.Level.DEBUG, "deleted " + p + ", left by a write that did not finish");
                    }
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "cannot delete stale staging file " + p + ": " + e);
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot list " + folder + " for stale staging files: " + e);
        }
        return deleted;
    }

    private static void cleanOnce(Path folder) {
        if (CLEANED.add(folder)) {
            cleanStaleStagingFiles(folder, STALE_AFTER);
        }
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
        cleanOnce(abs.getParent());
        Path tmp = createHidden(abs.getParent(), abs.getFileName().toString());
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
     * beside its target (named {@code .medsam-stage-<random>-<target name>}, so writers that choose the format by the file
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
                cleanOnce(target.getParent());
                Path stage = target.resolveSibling(STAGING_PREFIX + randomHex() + "-" + target.getFileName());
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
     * A new empty staging file {@code .medsam-stage-<random>-<name>} in {@code dir}. Created with CREATE_NEW rather than
     * Files.createTempFile so that its permissions follow the umask (createTempFile makes owner-only files,
     * and the file becomes the output).
     */
    private static Path createHidden(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = dir.resolve(STAGING_PREFIX + randomHex() + "-" + name);
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
