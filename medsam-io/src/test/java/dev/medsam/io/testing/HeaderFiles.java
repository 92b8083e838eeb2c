package dev.medsam.io.testing;

import dev.medsam.io.files.MalformedImageException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small hand-written files of the text-header formats (MetaImage, NRRD): a header in ISO-8859-1, as those formats
 * store it, followed by the data bytes; and the check that a reader refuses a bad header with a message that names
 * the file and the fault.
 */
public final class HeaderFiles {

    /** A reader under test, e.g. {@code NrrdReader::read}. */
    @FunctionalInterface
    public interface Reader {
        Object read(Path file) throws IOException;
    }

    private HeaderFiles() {
    }

    /** Writes {@code header} (ISO-8859-1) then {@code data} to {@code dir/name}. */
    public static Path write(Path dir, String name, String header, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(header.getBytes(StandardCharsets.ISO_8859_1));
        b.write(data);
        Path p = dir.resolve(name);
        Files.write(p, b.toByteArray());
        return p;
    }

    /**
     * Asserts that {@code reader} refuses {@code file} (written from {@code header}) with a
     * {@link MalformedImageException} whose message names the file and contains {@code expected}.
     */
    public static void assertRefused(Reader reader, Path file, String header, String expected) {
        MalformedImageException e = assertThrows(MalformedImageException.class, () -> reader.read(file), header);
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(file.toString()), e.getMessage());
    }
}
