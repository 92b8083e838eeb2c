package dev.medsam.core.checkpoint;

import java.io.IOException;

/**
 * A checkpoint could not be read or does not fit a SAM model: the file is missing, truncated or corrupt, uses
 * an unsupported format or data type, tries to load code, or its tensors do not match the architecture.
 * The message names the file and, where it applies, the key, zip entry or byte offset that was wrong.
 */
public class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    /** An exception with the given message. */
    public CheckpointException(String message) {
        super(message);
    }

    /** An exception with the given message and the I/O or parse failure behind it. */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
