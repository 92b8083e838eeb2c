package dev.medsam.examples.cli;

import dev.medsam.io.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Several output files that appear together or not at all ({@link AtomicFiles#writeAll}): each is written to a
 * hidden file beside its target with the same extension, so format-by-name writers still work, and only when every
 * one is written are they moved into place. A failure deletes the written ones and leaves the targets untouched.
 */
final class StagedFiles {

    private final Map<Path, AtomicFiles.IOConsumer<Path>> files = new LinkedHashMap<>();

    /** Adds {@code target}, written by {@code writer} to the path it is given. */
    void add(Path target, AtomicFiles.IOConsumer<Path> writer) {
        files.put(target, writer);
    }

    /** Writes every file, then moves them into place. */
    void commit() throws IOException {
        AtomicFiles.writeAll(files);
    }
}
