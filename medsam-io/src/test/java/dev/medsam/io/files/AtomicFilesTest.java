package dev.medsam.io.files;

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

    /** Issue 19, case 10: what a killed write leaves is recognisable, and the next write there removes it. */
    @Test
    void stagingFilesAreRecognisableAndStaleOnesAreCleanedOnTheNextWrite() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("out"));
        List<String> seen = new java.util.ArrayList<>();
        AtomicFiles.write(folder.resolve("first.png"), out -> {
            try (Stream<Path> s = Files.list(folder)) {
                s.forEach(p -> seen.add(p.getFileName().toString()));
            }
        });
        assertEquals(1, seen.size(), seen.toString());
        assertTrue(AtomicFiles.isStagingName(seen.get(0)) && seen.get(0).endsWith("-first.png"), seen.toString());

        java.nio.file.attribute.FileTime hourAgo = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofHours(1)));
        Path stale = Files.write(folder.resolve(".medsam-stage-3f2a9c-mask.nii.gz"), new byte[1024]);
        Files.setLastModifiedTime(stale, hourAgo);
        Path fresh = Files.write(folder.resolve(".medsam-stage-77aa-mask.nii.gz"), new byte[8]); // a write in flight
        Path notOurs = Files.write(folder.resolve(".medsam-stage-notes.txt"), new byte[8]);
        Path userTmp = Files.write(folder.resolve(".mask.nii.gz.1234.tmp"), new byte[8]);
        Files.setLastModifiedTime(notOurs, hourAgo);
        Files.setLastModifiedTime(userTmp, hourAgo);

        assertEquals(1, AtomicFiles.cleanStaleStagingFiles(folder, AtomicFiles.STALE_AFTER));
        assertTrue(Files.notExists(stale));
        assertTrue(Files.exists(fresh) && Files.exists(notOurs) && Files.exists(userTmp));

        // a write into a folder this process has not written to yet cleans it first
        Path other = Files.createDirectories(dir.resolve("other"));
        Path leftOver = Files.write(other.resolve(".medsam-stage-abc123-liver.png"), new byte[32]);
        Files.setLastModifiedTime(leftOver, hourAgo);
        AtomicFiles.write(other.resolve("liver.png"), out -> out.write(1));
        assertTrue(Files.notExists(leftOver));
        try (Stream<Path> s = Files.list(other)) {
            assertEquals(List.of("liver.png"), s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
