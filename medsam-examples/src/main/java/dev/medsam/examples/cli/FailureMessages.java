package dev.medsam.examples.cli;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.regex.Pattern;

/**
 * The one line a command-line user reads when a command fails: what went wrong and, for files, why ("file not
 * found", "permission denied", "is a directory"), in words rather than Java exception names. The library's own
 * messages already name the file, key or value at fault and are passed on as they are.
 */
final class FailureMessages {

    /** A Java class name such as {@code java.nio.file.NoSuchFileException:} inside a message. */
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b(?:java|javax|jdk|sun|com|org|dev)\\.(?:[a-z_$][\\w$]*\\.)*[A-Z][\\w$]*(?:Exception|Error)\\b:? ?");

    private FailureMessages() {
    }

    /** The message for {@code failure}, without Java class names, never empty. */
    static String describe(Throwable failure) {
        Throwable e = failure;
        // wrappers that add nothing: say what they wrap
        while ((e instanceof UncheckedIOException || e.getClass() == RuntimeException.class)
                && e.getCause() != null && (e.getMessage() == null || e.getMessage().equals(e.getCause().toString()))) {
            e = e.getCause();
        }
        String text = specific(e);
        if (text == null) {
            String m = e.getMessage();
            text = m == null || m.isBlank() ? generic(e) : m;
        }
        String cleaned = CLASS_NAME.matcher(text).replaceAll("").strip();
        return cleaned.isEmpty() ? generic(e) : cleaned;
    }

    /** Messages for the exceptions whose own message is only a path or a host name. */
    private static String specific(Throwable e) {
        if (e instanceof FileSystemException f) {
            String file = f.getFile() == null ? "" : f.getFile();
            String other = f.getOtherFile() == null ? "" : " -> " + f.getOtherFile();
            String reason = f.getReason();
            if (e instanceof NoSuchFileException) {
                return "file not found: " + file + other + (reason == null ? "" : " (" + reason + ")");
            }
            if (e instanceof AccessDeniedException) {
                return "permission denied: " + file + other + (reason == null ? "" : " (" + reason + ")");
            }
            if (e instanceof NotDirectoryException) {
                return "not a folder: " + file;
            }
            if (e instanceof FileAlreadyExistsException) {
                return "already exists: " + file + other;
            }
            if (e instanceof DirectoryNotEmptyException) {
                return "folder not empty: " + file;
            }
            return file + other + ": " + (reason == null ? "cannot be used" : lowerFirst(reason));
        }
        if (e instanceof FileNotFoundException && e.getMessage() != null) {
            // "x (No such file or directory)", "x (Is a directory)", "x (Permission denied)"
            String m = e.getMessage();
            int open = m.lastIndexOf(" (");
            if (open > 0 && m.endsWith(")")) {
                return m.substring(0, open) + ": " + lowerFirst(m.substring(open + 2, m.length() - 1));
            }
            return "cannot open " + m;
        }
        if (e instanceof UnknownHostException) {
            return "network error: unknown host " + e.getMessage() + " (check the address, the network and any proxy)";
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return "network error: cannot connect" + (e.getMessage() == null ? "" : " (" + lowerFirst(e.getMessage()) + ")");
        }
        if (e instanceof SocketTimeoutException || e instanceof HttpTimeoutException) {
            return "network error: timed out" + (e.getMessage() == null ? "" : " (" + lowerFirst(e.getMessage()) + ")");
        }
        if (e instanceof EOFException) {
            return "unexpected end of file" + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        return null;
    }

    private static String generic(Throwable e) {
        if (e instanceof java.io.IOException) {
            return "input/output error";
        }
        return "internal error (run with --verbose for the details, and please report it)";
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() || (s.length() > 1 && Character.isUpperCase(s.charAt(1))) ? s
                : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
