package dev.medsam.core.spi;

/**
 * A failure inside a backend (native code, device, out of memory) that the caller cannot fix by changing its
 * input. Carries a {@link Kind} so callers can react without parsing messages.
 */
public class BackendException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, broadly. */
    public enum Kind {
        /** No backend could be found or started (native library missing, unsupported platform). */
        UNAVAILABLE,
        /** The requested device does not exist or cannot be used. */
        DEVICE,
        /** The weights do not fit the network the backend builds. */
        INCOMPATIBLE_MODEL,
        /** The native runtime reported an error while running the network. */
        RUNTIME,
        /** Native or heap memory ran out. */
        OUT_OF_MEMORY
    }

    private final Kind kind;

    public BackendException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BackendException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** The kind of failure. */
    public Kind kind() {
        return kind;
    }
}
