package dev.medsam.io.metaimage.internal;

import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.files.internal.HeaderLines;
import dev.medsam.io.files.internal.Text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text header of a MetaImage file ({@code .mha}, {@code .mhd}): {@code Key = Value} lines up to and
 * including {@code ElementDataFile}, which must come last. Keys are matched without regard to case (MetaIO
 * writes them in CamelCase; hand-written headers vary); {@link #fields} maps the lower-case key to the value.
 */
public final class MetaHeader {

    /** Longer headers are refused (real ones are well under 1 KB). */
    static final int MAX_HEADER_BYTES = 1 << 20;

    /** Lower-case key to trimmed value, in file order. */
    public final Map<String, String> fields = new LinkedHashMap<>();
    /** Keys as written, in file order (for reports). */
    public final Map<String, String> original = new LinkedHashMap<>();
    /** For {@code ElementDataFile = LIST}: the file names that follow. */
    public final List<String> listedFiles = new ArrayList<>();
    /** Byte offset just after the header: where {@code LOCAL} data starts. */
    public long dataOffset;

    private MetaHeader() {
    }

    /**
     * Parses the header of {@code file}.
     *
     * @throws MalformedImageException naming the line if a line is not {@code Key = Value}, a key repeats, or
     *                                 there is no {@code ElementDataFile}
     */
    public static MetaHeader read(Path file) throws IOException {
        HeaderLines lines = HeaderLines.read(file, "MetaImage", MAX_HEADER_BYTES);
        MetaHeader h = new MetaHeader();
        boolean done = false;
        boolean listing = false;
        for (String line; !done && (line = lines.next()) != null; ) {
            if (listing) {
                if (!line.isBlank()) {
                    h.listedFiles.add(line.trim());
                }
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new MalformedImageException(file, "MetaImage header line " + lines.lineNumber()
                        + " is not 'Key = Value': '" + Text.clip(line) + "'");
            }
            String key = line.substring(0, eq).trim();
            String value = line.substring(eq + 1).trim();
            String lower = key.toLowerCase(Locale.ROOT);
            if (h.fields.put(lower, value) != null) {
                throw new MalformedImageException(file, "MetaImage key '" + Text.clip(key) + "' is given twice");
            }
            h.original.put(key, value);
            if (lower.equals("elementdatafile")) {
                String v = value.toUpperCase(Locale.ROOT);
                listing = v.equals("LIST") || v.startsWith("LIST ");
                done = !listing;
            }
        }
        if (!h.fields.containsKey("elementdatafile")) {
            throw new MalformedImageException(file, "the MetaImage header has no ElementDataFile line"
                    + (lines.lineNumber() == 0 ? " (the file is empty)" : ""));
        }
        h.dataOffset = lines.offset();
        return h;
    }
}
