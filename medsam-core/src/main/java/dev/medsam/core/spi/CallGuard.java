package dev.medsam.core.spi;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The lifecycle rule every closeable object of MedSAM follows (sessions, backends, models): any number of calls
 * may run at once; {@link #close} waits until the calls in flight have finished, then runs the clean-up once;
 * a call that starts after close fails with an {@link IllegalStateException} saying what is closed. One
 * implementation for the session and for every backend, so that they cannot drift apart.
 *
 * <p>Use {@link #call} around a computation, or {@link #enter} / {@link #exit} in a try/finally block where a
 * lambda does not fit:
 * <pre>{@code
 * private final CallGuard guard = new CallGuard("the Foo model");
 *
 * public ImageEmbedding encode(ImageTensor image) {
 *     return guard.call(() -> run(image));
 * }
 *
 * public void close() {
 *     guard.close(this::freeNativeMemory);
 * }
 * }</pre>
 *
 * <p>Thread-safe. A call must not close its own guard (the close would wait for that call forever); calls may
 * nest. Holds no native resources.
 */
public final class CallGuard {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    private volatile boolean closed;

    /**
     * A guard for the object {@code what} names in messages, for example {@code "the segmentation session"}
     * ("the segmentation session is closed").
     */
    public CallGuard(String what) {
        this.what = Objects.requireNonNull(what, "what");
    }

    /**
     * Runs {@code call} and returns its result, keeping {@link #close} waiting until it returns.
     *
     * @throws IllegalStateException if the guard is closed
     */
    public <T> T call(Supplier<T> call) {
        Objects.requireNonNull(call, "call");
        enter();
        try {
            return call.get();
        } finally {
            exit();
        }
    }

    /**
     * Starts a call: {@link #close} waits until the matching {@link #exit}. Pair them in try/finally, with
     * {@code enter()} before the {@code try}: it takes nothing when it throws.
     *
     * @throws IllegalStateException if the guard is closed
     */
    public void enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new IllegalStateException(what + " is closed");
        }
    }

    /**
     * Ends a call started by {@link #enter} on this thread.
     *
     * @throws IllegalMonitorStateException if this thread has no call in flight
     */
    public void exit() {
        lock.readLock().unlock();
    }

    /**
     * Marks the guard closed, waits for the calls in flight, then runs {@code cleanup} while no call can start.
     * Idempotent: returns {@code false}, and runs nothing, if the guard was closed already. An exception from
     * {@code cleanup} propagates; the guard stays closed.
     */
    public boolean close(Runnable cleanup) {
        Objects.requireNonNull(cleanup, "cleanup");
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

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** The number of calls running now, on all threads (an instantaneous value, for tests and diagnostics). */
    public int callsInFlight() {
        return lock.getReadLockCount();
    }

    @Override
    public String toString() {
        return "CallGuard[" + what + (closed ? ", closed" : "") + "]";
    }
}
