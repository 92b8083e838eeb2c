package dev.medsam.tensorflow.internal;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Lets any number of calls run at once and makes {@link #close} wait until they have all finished; calls that
 * start after close fail with {@link IllegalStateException}.
 */
final class CallGuard {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    private volatile boolean closed;

    CallGuard(String what) {
        this.what = what;
    }

    /** Runs {@code call} unless closed. */
    <T> T call(Supplier<T> call) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException(what + " is closed");
            }
            return call.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Marks closed, waits for calls in flight, then runs {@code cleanup} once. Returns false (and does nothing)
     * if already closed.
     */
    boolean close(Runnable cleanup) {
        lock.writeLock().lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            cleanup.run();
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Calls running now (for tests). */
    int callsInFlight() {
        return lock.getReadLockCount();
    }
}
