package dev.medsam.io.internal;

import dev.medsam.io.files.MalformedImageException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reading from streams and byte arrays through the file readers: the content is copied into a private temporary
 * folder (owner-only permissions), read as a file, and the folder deleted before the call returns. The readers
 * need random access (DICOM offsets, zip directories, memory mapping), which a stream does not give; the copy
 * keeps large content off the heap. Messages name the caller's name for the content, not the temporary file.
 */
public final class StagedInput {

    /** Reads a staged file or folder. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Path staged) throws IOException;
    }

    private StagedInput() {
    }

    /** Copies {@code in} to a temporary file called after {@code name} and reads it with {@code reader}. */
    public static <T> T readStream(InputStream in, String name, Reader<T> reader) throws IOException {
        return readStreams(List.of(in), name, false, reader);
    }

    /**
     * Copies each stream to its own file in one temporary folder and reads the folder ({@code asFolder}) or the
     * one file with {@code reader}.
     */
    public static <T> T readStreams(List<? extends InputStream> streams, String name, boolean asFolder,
                                    Reader<T> reader) throws IOException {
        String safe = safeName(name);
        Path dir = Files.createTempDirectory("medsam-read-");
        try {
            Path target = null;
            for (int i = 0; i < streams.size(); i++) {
                target = dir.resolve(asFolder ? String.format("%05d.dcm", i) : safe);
                try (InputStream in = streams.get(i)) {
                    Files.copy(in, target);
                }
            }
            Path staged = asFolder ? dir : target;
            try {
                return reader.read(staged);
            } catch (MalformedImageException e) {
                throw renamed(e, staged, name);
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** The exception with the staged path in its message replaced by the caller's name for the content. */
    private static MalformedImageException renamed(MalformedImageException e, Path staged, String name) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        String prefix = e.file() + ": ";
        String problem = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        problem = problem.replace(staged.toString(), name);
        return new MalformedImageException(Path.of(safeName(name)), problem, e);
    }

    /** A file name for {@code name}: its last path element, with characters outside [A-Za-z0-9._-] replaced. */
    static String safeName(String name) {
        String last = name.replace('\\', '/');
        last = last.substring(last.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        if (last.isEmpty() || last.equals(".") || last.equals("..")) {
            return "input";
        }
        return last.length() > 100 ? last.substring(last.length() - 100) : last;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.getLogger(StagedInput.class.getName()).log(System.Logger.Level.WARNING,
                    "could not delete the temporary folder " + dir + ": " + e.getMessage());
        }
    }
}
