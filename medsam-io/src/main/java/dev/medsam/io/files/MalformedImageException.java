package dev.medsam.io.files;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file could be read from disk but its content is not a valid image of the format it claims (or was sniffed
 * as): truncated data, impossible dimensions, an unsupported data type, a corrupt compressed stream. The
 * message names the file and what was wrong.
 */
public final class MalformedImageException extends IOException {

    private final String file;

    /** A problem with {@code file}; the message becomes {@code "<file>: <problem>"}. */
    public MalformedImageException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file.toString();
    }

    /** As {@link #MalformedImageException(Path, String)}, keeping the low-level cause. */
    public MalformedImageException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file.toString();
    }

    /** The file that was malformed, as given to the reader. */
    public String file() {
        return file;
    }
}
