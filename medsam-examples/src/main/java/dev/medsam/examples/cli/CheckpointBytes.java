package dev.medsam.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code medsam download} checks in the bytes it receives: whether they start as a checkpoint, what they are
 * when they do not (so that a web page is named as one), and the SHA-256 of a file. Stateless, thread-safe.
 */
final class CheckpointBytes {

    /** Bytes that {@link #looksLikeCheckpoint} needs to decide. */
    static final int HEAD = 16;

    private static final Pattern TITLE = Pattern.compile("<title[^>]*>([^<]{0,200})", Pattern.CASE_INSENSITIVE);

    private CheckpointBytes() {
    }

    /**
     * Whether a file starts as a checkpoint can: a zip archive (PyTorch's format since 1.6), a pickle protocol
     * 2-5 header (the legacy format), or a safetensors header (8-byte little-endian length, then '{').
     */
    static boolean looksLikeCheckpoint(byte[] head) {
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return true;
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            return true;
        }
        if (head.length >= 9 && head[8] == '{') {
            long length = 0;
            for (int i = 7; i >= 0; i--) {
                length = length << 8 | (head[i] & 0xff);
            }
            return length > 1 && length < (1L << 32);
        }
        return false;
    }

    /** The first {@value #HEAD} bytes of {@code file} (fewer if it is shorter). */
    static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(HEAD);
        }
    }

    /** What the server sent instead of a checkpoint, in words: its type, an HTML page's title, the first bytes. */
    static String describeNonCheckpoint(String host, HttpURLConnection c, byte[] buffer, int n) {
        String type = c.getContentType() == null ? "no content type" : "'" + TerminalText.escape(c.getContentType()) + "'";
        String text = new String(buffer, 0, Math.min(n, 4096), StandardCharsets.ISO_8859_1);
        String lower = text.toLowerCase(Locale.ROOT);
        String what;
        if (lower.contains("<html") || lower.contains("<!doctype html")) {
            Matcher m = TITLE.matcher(text);
            what = "an HTML page" + (m.find() ? " titled '" + TerminalText.escape(m.group(1).strip()) + "'" : "");
        } else {
            String start = text.substring(0, Math.min(40, text.length()));
            what = "data that is not a checkpoint, starting '" + TerminalText.escape(start) + "'";
        }
        return "the server " + host + " sent " + what + " (" + type + "), not a checkpoint (.pth or "
                + ".safetensors); the URL may lead to a web page (a sign-in, a virus-scan warning or a "
                + "share page) rather than to the file itself";
    }

    /** The SHA-256 of {@code file} as 64 lower-case hexadecimal digits. */
    static String sha256Of(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
