package dev.medsam.core.spi;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one lifecycle guard of sessions and backends: calls in flight, close, use after close. */
class CallGuardTest {

    @Test
    void callsRunUntilCloseAndFailAfterIt() {
        CallGuard guard = new CallGuard("the test model");
        assertEquals(42, guard.call(() -> 42));
        assertTrue(guard.close(() -> { }));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> guard.call(() -> 1));
        assertEquals("the test model is closed", e.getMessage());
        assertThrows(IllegalStateException.class, guard::enter);
        assertEquals(0, guard.callsInFlight(), "a refused enter() holds nothing");
        assertTrue(guard.isClosed());
    }

    @Test
    void closeIsIdempotentAndCleansUpOnce() {
        CallGuard guard = new CallGuard("x");
        AtomicInteger cleanups = new AtomicInteger();
        assertTrue(guard.close(cleanups::incrementAndGet));
        assertFalse(guard.close(cleanups::incrementAndGet));
        assertEquals(1, cleanups.get());
    }

    @Test
    void closeWaitsForCallsInFlight() throws Exception {
        CallGuard guard = new CallGuard("x");
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger cleanups = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> call = pool.submit(() -> guard.call(() -> {
                inside.countDown();
                await(release);
                // the clean-up has not run while this call is in flight
                return "cleanups seen inside: " + cleanups.get();
            }));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            assertEquals(1, guard.callsInFlight());
            Future<Boolean> close = pool.submit(() -> guard.close(cleanups::incrementAndGet));
            assertThrows(TimeoutException.class, () -> close.get(200, TimeUnit.MILLISECONDS),
                    "close must wait for the call in flight");
            assertEquals(0, cleanups.get());
            release.countDown();
            assertEquals("cleanups seen inside: 0", call.get(10, TimeUnit.SECONDS));
            assertTrue(close.get(10, TimeUnit.SECONDS));
            assertEquals(1, cleanups.get());
            assertEquals(0, guard.callsInFlight());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void enterAndExitPairInTryFinally() {
        CallGuard guard = new CallGuard("x");
        guard.enter();
        try {
            assertEquals(1, guard.callsInFlight());
            assertEquals(7, guard.call(() -> 7), "calls may nest");
        } finally {
            guard.exit();
        }
        assertEquals(0, guard.callsInFlight());
        assertThrows(IllegalMonitorStateException.class, guard::exit, "exit without enter");
    }

    @Test
    void cleanupFailurePropagatesAndTheGuardStaysClosed() {
        CallGuard guard = new CallGuard("x");
        assertThrows(IllegalArgumentException.class, () -> guard.close(() -> {
            throw new IllegalArgumentException("boom");
        }));
        assertTrue(guard.isClosed());
        assertFalse(guard.close(() -> { }));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
