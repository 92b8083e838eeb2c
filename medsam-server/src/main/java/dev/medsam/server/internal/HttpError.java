package dev.medsam.server.internal;

/**
 * A request that cannot be answered, with the HTTP status and the one-line message the client sees. Thrown by
 * request parsing and the handlers; {@link ApiHandler} turns it into a JSON error body (never a stack trace).
 */
public final class HttpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public HttpError(int status, String message) {
        super(message, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is 4xx or 5xx, got " + status);
        }
        this.status = status;
    }

    public int status() {
        return status;
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }
}
