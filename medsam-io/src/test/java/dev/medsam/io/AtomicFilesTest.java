package dev.medsam.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesAndReplacesLeavingNoTemporaryFile() throws IOException {
        Path f = dir.resolve("a.txt");
        AtomicFiles.write(f, out -> out.write("first".getBytes(StandardCharsets.UTF_8)));
        assertEquals("first", Files.readString(f));
        AtomicFiles.write(f, out -> {
            out.write("second".getBytes(StandardCharsets.UTF_8));
            out.close(); // closing is a flush: the content is still written and moved
        });
        assertEquals("second", Files.readString(f));
        assertEquals(List.of("a.txt"), names());
    }

    @Test
    void aFailingWriterLeavesTheTargetUntouchedAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("a.txt");
        Files.writeString(f, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("a.txt"), names());
    }

    @Test
    void aFolderIsNoTarget() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(sub, out -> out.write(1)));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
        assertEquals(List.of("sub"), names());
    }

    @Test
    void writeAllMovesEveryFileIntoPlaceAndWritersSeeTheTargetsExtension() throws IOException {
        Map<Path, AtomicFiles.IOConsumer<Path>> files = new LinkedHashMap<>();
        files.put(dir.resolve("a.nii.gz"), p -> {
            assertTrue(p.getFileName().toString().endsWith("-a.nii.gz"), p.toString());
            Files.writeString(p, "A");
        });
        files.put(dir.resolve("b.png"), p -> Files.writeString(p, "B"));
        AtomicFiles.writeAll(files);
        assertEquals("A", Files.readString(dir.resolve("a.nii.gz")));
        assertEquals("B", Files.readString(dir.resolve("b.png")));
        assertEquals(List.of("a.nii.gz", "b.png"), names());
    }

    @Test
    void writeAllWritesNothingWhenOneWriterFails() throws IOException {
        Files.writeString(dir.resolve("a.txt"), "old");
        Map<Path, AtomicFiles.IOConsumer<Path>> files = new LinkedHashMap<>();
        files.put(dir.resolve("a.txt"), p -> Files.writeString(p, "new"));
        files.put(dir.resolve("b.txt"), p -> Files.writeString(p, "B"));
        files.put(dir.resolve("c.txt"), p -> {
            Files.writeString(p, "half");
            throw new IOException("no space");
        });
        assertThrows(IOException.class, () -> AtomicFiles.writeAll(files));
        assertEquals("old", Files.readString(dir.resolve("a.txt")));
        assertEquals(List.of("a.txt"), names());
    }

    @Test
    void writeAllRejectsOneFileGivenTwice() {
        Map<Path, AtomicFiles.IOConsumer<Path>> files = new LinkedHashMap<>();
        files.put(dir.resolve("a.txt"), p -> Files.writeString(p, "1"));
        files.put(dir.resolve("sub/../a.txt"), p -> Files.writeString(p, "2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AtomicFiles.writeAll(files));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
