package dev.medsam.io.files.internal;

import dev.medsam.io.files.MalformedImageException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for the text headers of NRRD and MetaImage: quoting values in messages, parsing numbers. */
public final class Text {

    private static final int MAX_QUOTED = 60;

    private Text() {
    }

    /** {@code s} cut to a length fit for an error message, control characters shown as '?'. */
    public static String clip(String s) {
        String t = s.length() > MAX_QUOTED ? s.substring(0, MAX_QUOTED) + "..." : s;
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            b.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return b.toString();
    }

    /** The whitespace-separated tokens of {@code value}. */
    public static List<String> tokens(String value) {
        List<String> out = new ArrayList<>();
        for (String t : value.trim().split("\\s+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * A finite number from {@code token}.
     *
     * @throws MalformedImageException naming {@code field} and the token otherwise
     */
    public static double finite(Path file, String field, String token) throws MalformedImageException {
        double v;
        try {
            v = Double.parseDouble(token.trim());
        } catch (NumberFormatException e) {
            throw new MalformedImageException(file, field + ": '" + clip(token) + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new MalformedImageException(file, field + ": " + clip(token) + " is not a finite number");
        }
        return v;
    }

    /**
     * An int in {@code [min, max]} from {@code token}.
     *
     * @throws MalformedImageException naming {@code field} and the token otherwise
     */
    public static int integer(Path file, String field, String token, int min, int max)
            throws MalformedImageException {
        long v;
        try {
            v = Long.parseLong(token.trim());
        } catch (NumberFormatException e) {
            throw new MalformedImageException(file, field + ": '" + clip(token) + "' is not a whole number");
        }
        if (v < min || v > max) {
            throw new MalformedImageException(file, field + ": " + v + " is outside " + min + ".." + max);
        }
        return (int) v;
    }

    /**
     * The data file {@code name} relative to the folder of {@code header} (an absolute path is honoured, as
     * NRRD and MetaImage allow it).
     */
    public static Path sibling(Path header, String name) throws MalformedImageException {
        Path parent = header.toAbsolutePath().getParent();
        Path p;
        try {
            p = Path.of(name.trim());
        } catch (java.nio.file.InvalidPathException e) {
            throw new MalformedImageException(header, "the data file name '" + clip(name) + "' is not a valid path");
        }
        if (name.isBlank()) {
            throw new MalformedImageException(header, "the data file name is empty");
        }
        return p.isAbsolute() || parent == null ? p : parent.resolve(p).normalize();
    }
}
