package dev.medsam.core.volume;

/**
 * Asks a running 3D segmentation to stop. {@link VolumeSegmenter} checks it before each slice and then throws
 * {@link java.util.concurrent.CancellationException}; the slice in progress finishes first. A token stays
 * cancelled. Thread-safe: cancel from any thread.
 */
public final class CancellationToken {

    private volatile boolean cancelled;

    /** A token that is not cancelled yet. */
    public CancellationToken() {
    }

    /** Requests cancellation. Idempotent. */
    public void cancel() {
        cancelled = true;
    }

    /** Whether {@link #cancel()} was called. */
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public String toString() {
        return "CancellationToken[" + (cancelled ? "cancelled" : "active") + "]";
    }
}
