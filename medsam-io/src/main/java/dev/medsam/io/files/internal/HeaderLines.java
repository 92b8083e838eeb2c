package dev.medsam.io.files.internal;

import dev.medsam.io.files.MalformedImageException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a text header at the start of a file (NRRD, MetaImage), read from a bounded prefix of the file:
 * UTF-8 (as 3D Slicer writes segment names; ASCII reads the same), {@code \n} or {@code \r\n} line ends. A
 * header that does not end within the bound is refused rather than read on. Not thread-safe; one per parse.
 */
public final class HeaderLines {

    private final Path file;
    private final String format;
    private final int maxBytes;
    private final byte[] head;
    private int pos;
    private int lineNumber;

    private HeaderLines(Path file, String format, int maxBytes, byte[] head) {
        this.file = file;
        this.format = format;
        this.maxBytes = maxBytes;
        this.head = head;
    }

    /**
     * Reads up to {@code maxBytes} (and one more, to tell a header that never ends) from the start of {@code file}.
     *
     * @param format the format's name for messages ("NRRD", "MetaImage")
     */
    public static HeaderLines read(Path file, String format, int maxBytes) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(maxBytes + 1);
        }
        return new HeaderLines(file, format, maxBytes, head);
    }

    /**
     * The next line without its line end, or null when the bytes read are used up.
     *
     * @throws MalformedImageException if the line runs past {@code maxBytes}
     */
    public String next() throws MalformedImageException {
        if (pos >= head.length) {
            return null;
        }
        int end = pos;
        while (end < head.length && head[end] != '\n') {
            end++;
        }
        if (end == head.length && head.length > maxBytes) {
            throw new MalformedImageException(file, "the " + format + " header is longer than " + maxBytes
                    + " bytes or never ends");
        }
        int lineEnd = end > pos && head[end - 1] == '\r' ? end - 1 : end;
        String line = new String(head, pos, lineEnd - pos, StandardCharsets.UTF_8);
        pos = Math.min(head.length, end + 1);
        lineNumber++;
        return line;
    }

    /** The 1-based number of the line {@link #next} returned last (0 before the first). */
    public int lineNumber() {
        return lineNumber;
    }

    /** The byte offset just after the line {@link #next} returned last: where data attached to the header starts. */
    public int offset() {
        return pos;
    }

    /** How many bytes were read from the file (at most {@code maxBytes + 1}). */
    public int length() {
        return head.length;
    }
}
