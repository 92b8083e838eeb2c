package dev.medsam.examples.cli;

/**
 * Makes text from files and servers safe to print: names inside a checkpoint, a zip entry, a DICOM string or an
 * HTTP header may hold escape sequences that would move the cursor, clear the screen or retitle the window if
 * they reached a terminal raw.
 */
final class TerminalText {

    private TerminalText() {
    }

    /**
     * {@code text} with every control character (C0, DEL, C1) and the Unicode bidirectional overrides written
     * as a visible escape ({@code \e}, {@code \n}, {@code \x7f}, {@code \u202e}). Backslashes are kept as
     * they are, so ordinary Windows paths stay readable.
     */
    static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = replacement(c);
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                out.append(replacement != null ? replacement : String.valueOf(c));
            }
        }
        return out == null ? text : out.toString();
    }

    /** {@link #escape} line by line: the line breaks stay, everything else that steers a terminal is escaped. */
    static String escapeKeepingLines(String text) {
        String[] lines = text.split("\r?\n", -1);
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append(System.lineSeparator());
            }
            out.append(escape(lines[i]));
        }
        return out.toString();
    }

    private static String replacement(char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            case 0x1b:
                return "\\e";
            default:
                break;
        }
        if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
            return String.format("\\x%02x", (int) c);
        }
        // bidirectional overrides and isolates reorder what the user sees (CVE-2021-42574 "Trojan Source")
        if (c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069) {
            return String.format("\\u%04x", (int) c);
        }
        return null;
    }
}
