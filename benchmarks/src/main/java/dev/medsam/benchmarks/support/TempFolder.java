package dev.medsam.benchmarks.support;

import dev.medsam.core.testing.TempFolders;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A temporary folder for the files a benchmark generates in its trial set-up, deleted in its tear-down. The
 * location is {@code java.io.tmpdir}, or {@code -Dmedsam.bench.tmp=...} to put the files on another disk.
 */
public final class TempFolder implements AutoCloseable {

    /** System property naming the parent folder of the benchmark files. */
    public static final String PROPERTY = "medsam.bench.tmp";

    private final Path path;

    private TempFolder(Path path) {
        this.path = path;
    }

    /** Creates a fresh folder whose name starts with {@code prefix}. */
    public static TempFolder create(String prefix) throws IOException {
        String parent = System.getProperty(PROPERTY);
        Path dir = parent == null ? Files.createTempDirectory(prefix)
                : Files.createTempDirectory(Files.createDirectories(Path.of(parent)), prefix);
        return new TempFolder(dir);
    }

    public Path path() {
        return path;
    }

    public Path resolve(String name) {
        return path.resolve(name);
    }

    /** Size of all regular files below the folder, in bytes. */
    public long sizeBytes() throws IOException {
        long[] total = {0};
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    /** Deletes the folder and everything in it (core's test helper, which the tests' temporary folders use too). */
    @Override
    public void close() throws IOException {
        TempFolders.deleteTree(path);
    }
}
