package dev.medsam.io.nrrd.internal;

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
 * The text header of a NRRD file (format versions 1 to 5): magic line, {@code field: value} lines,
 * {@code key:=value} lines and comments, up to the blank line that ends an attached header (or the end of a
 * detached {@code .nhdr}). Field names are canonical: lower case, and the old spellings without a space
 * ({@code datafile}, {@code lineskip}, {@code byteskip}, {@code spacedimension}, ...) mapped to the spaced ones.
 */
public final class NrrdHeader {

    /** A header longer than this is refused (real ones are a few hundred bytes; Slicer's segmentations a few KB). */
    static final int MAX_HEADER_BYTES = 4 << 20;

    /** The fields, canonical name to value (trimmed). */
    public final Map<String, String> fields = new LinkedHashMap<>();
    /** The key/value pairs in file order. */
    public final Map<String, String> keyValues = new LinkedHashMap<>();
    /** For {@code data file: LIST}: the file names that follow the field. */
    public final List<String> listedFiles = new ArrayList<>();
    /** Byte offset of the data in this file (for an attached header), or the file's length if there is none. */
    public long dataOffset;
    /** Whether the header ended with a blank line (so that attached data may follow). */
    public boolean ended;
    /** The format version from the magic, 1..5. */
    public int version;

    private NrrdHeader() {
    }

    /**
     * Parses the header of {@code file}.
     *
     * @throws MalformedImageException naming the line if the magic is missing, a line is neither field, pair
     *                                 nor comment, or a field is given twice
     */
    public static NrrdHeader read(Path file) throws IOException {
        HeaderLines lines = HeaderLines.read(file, "NRRD", MAX_HEADER_BYTES);
        NrrdHeader h = new NrrdHeader();
        boolean listing = false;
        boolean ended = false;
        for (String line; (line = lines.next()) != null; ) {
            if (lines.lineNumber() == 1) {
                if (!line.startsWith("NRRD000") || line.length() != 8 || line.charAt(7) < '1' || line.charAt(7) > '5') {
                    throw new MalformedImageException(file, "is not a NRRD file: the first line is '" + Text.clip(line)
                            + "', not NRRD0001..NRRD0005");
                }
                h.version = line.charAt(7) - '0';
                continue;
            }
            if (line.isEmpty()) {
                ended = true;
                break;
            }
            if (listing) {
                h.listedFiles.add(line.trim());
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            int kv = line.indexOf(":=");
            int colon = line.indexOf(": ");
            if (kv >= 0 && (colon < 0 || kv < colon)) {
                h.keyValues.put(unescape(line.substring(0, kv)), unescape(line.substring(kv + 2)));
                continue;
            }
            if (colon <= 0) {
                throw new MalformedImageException(file, "NRRD header line " + lines.lineNumber() + " is neither 'field: value' nor "
                        + "'key:=value': '" + Text.clip(line) + "'");
            }
            String name = canonical(line.substring(0, colon));
            String value = line.substring(colon + 2).trim();
            if (h.fields.put(name, value) != null) {
                throw new MalformedImageException(file, "NRRD field '" + Text.clip(name) + "' is given twice");
            }
            if (name.equals("data file") && (value.equals("LIST") || value.startsWith("LIST "))) {
                listing = true; // the rest of the header lists the data files, one a line
            }
        }
        h.dataOffset = ended ? lines.offset() : lines.length();
        h.ended = ended;
        if (h.version == 0) {
            throw new MalformedImageException(file, "is empty; a NRRD file starts with NRRD0004");
        }
        return h;
    }

    /** Lower case, single spaces, the old unspaced spellings mapped to the spaced ones. */
    static String canonical(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        return switch (n) {
            case "datafile" -> "data file";
            case "lineskip" -> "line skip";
            case "byteskip" -> "byte skip";
            case "spacedimension" -> "space dimension";
            case "spacedirections" -> "space directions";
            case "spaceorigin" -> "space origin";
            case "spaceunits" -> "space units";
            case "axismins" -> "axis mins";
            case "axismaxs" -> "axis maxs";
            case "oldmin" -> "old min";
            case "oldmax" -> "old max";
            case "sampleunits" -> "sample units";
            case "measurementframe" -> "measurement frame";
            default -> n;
        };
    }

    /** NRRD escapes newline and backslash in key/value pairs as {@code \n} and {@code \\}. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(n == 'n' ? '\n' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The inverse of {@link #unescape}. */
    public static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
