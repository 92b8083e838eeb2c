package dev.medsam.core.testing.conformance;

import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEmbeddings;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.TinyCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The lifecycle contract of {@link Backend} and {@link SamModel} (TensorFlow Java's Session is the model): close()
 * is idempotent and throws nothing; every call after close is an {@link IllegalStateException} that says so;
 * closing a backend closes its models and refuses new ones; close() waits for calls in flight, which finish
 * normally with correct results. Runs on the committed tiny checkpoint, no fixtures needed. Every test opens its
 * own backend and loads its own models (never the {@link SharedTinyModel}), since closing them is what it checks.
 */
public abstract class LifecycleConformance extends BackendConformance {

    private static final ModelPrompt BOX = ModelPrompt.builder().box(BOX_1024).build();

    protected LifecycleConformance(String providerName) {
        super(providerName);
    }

    @Test
    void everyModelCallAfterCloseIsAnIllegalStateException() {
        try (Backend backend = openBackend()) {
            SamModel model = loadTiny(backend);
            ImageTensor input = TinyCheckpoint.syntheticInput(1);
            ImageEmbedding e = model.imageEncoder().encode(input);
            PromptEmbeddings pe = model.promptEncoder().encode(List.of(BOX));
            model.close();
            assertDoesNotThrow(model::close, "close is idempotent");
            assertClosed("imageEncoder().encode", () -> model.imageEncoder().encode(input));
            assertClosed("promptEncoder().encode", () -> model.promptEncoder().encode(List.of(BOX)));
            assertClosed("promptEncoder().densePositionalEncoding", () -> model.promptEncoder().densePositionalEncoding());
            assertClosed("maskDecoder().decode", () -> model.maskDecoder().decode(e, pe, false));
            assertClosed("predict", () -> model.predict(e, List.of(BOX), false));
            // the backend itself is still usable after one of its models closed
            try (SamModel again = loadTiny(backend)) {
                assertArrayEquals(e.tensor().toArray(), again.imageEncoder().encode(input).tensor().toArray(),
                        "a model loaded again computes what the closed one did");
            }
        }
    }

    @Test
    void closingTheBackendClosesItsModelsAndRefusesNewOnes() {
        Backend backend = openBackend();
        SamModel model = loadTiny(backend);
        backend.close();
        assertDoesNotThrow(backend::close, "close is idempotent");
        assertClosed("a model's call after its backend closed", () -> model.promptEncoder().encode(List.of(BOX)));
        assertClosed("load after close", () -> loadTiny(backend));
        assertDoesNotThrow(model::close, "closing a model of a closed backend");
    }

    @Test
    void modelCloseWaitsForCallsInFlight() throws Exception {
        closeWaitsForCallsInFlight(false);
    }

    @Test
    void backendCloseWaitsForCallsInFlight() throws Exception {
        closeWaitsForCallsInFlight(true);
    }

    private static void assertClosed(String what, Executable call) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call, what + " after close");
        assertTrue(e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("closed"),
                what + ": the message should say the model or backend is closed: " + e.getMessage());
    }

    /** One encode on a worker thread: when it ran and how it ended. */
    private record Call(long start, long end, float[] result, Throwable error) {
    }

    /**
     * Two threads encode back to back; once each has finished one call, close() is called, so that (almost always)
     * a call is in flight. Every call that was not refused must finish normally with the serial result, and close()
     * must not return long before it: a backend that frees its native memory under a running call crashes, fails
     * or returns garbage here. Repeated (on a fresh backend) until a call was seen in flight, at most five times.
     */
    private void closeWaitsForCallsInFlight(boolean closeBackend) throws Exception {
        for (int attempt = 1; attempt <= 5; attempt++) {
            if (closeDuringEncodes(closeBackend)) {
                return;
            }
        }
        fail("in five attempts no encode was in flight when close() was called");
    }

    private boolean closeDuringEncodes(boolean closeBackend) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Backend backend = openBackend();
        try {
            SamModel model = loadTiny(backend);
            ImageTensor input = TinyCheckpoint.syntheticInput(2);
            long t0 = System.nanoTime();
            float[] expected = model.imageEncoder().encode(input).tensor().toArray();
            long serialNanos = System.nanoTime() - t0;
            List<Call> calls = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                workers.add(pool.submit(() -> {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try {
                            float[] r = model.imageEncoder().encode(input).tensor().toArray();
                            calls.add(new Call(start, System.nanoTime(), r, null));
                        } catch (Throwable e) {
                            calls.add(new Call(start, System.nanoTime(), null, e));
                            return null;
                        }
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (calls.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(calls.size() >= 2, "no encode finished within two minutes");
            long closeStart = System.nanoTime();
            if (closeBackend) {
                backend.close();
            } else {
                model.close();
            }
            long closeEnd = System.nanoTime();
            stop.set(true);
            for (Future<?> w : workers) {
                w.get(2, TimeUnit.MINUTES);
            }
            boolean sawInFlight = false;
            // the workers finished: their calls are all recorded
            List<Call> all;
            synchronized (calls) {
                all = List.copyOf(calls);
            }
            for (Call c : all) {
                if (c.error() != null) {
                    assertInstanceOf(IllegalStateException.class, c.error(), "a call refused by close(): " + c.error());
                    continue;
                }
                assertArrayEquals(expected, c.result(), "an encode that ran while close() was called");
                assertTrue(c.start() < closeEnd, "an encode started after close() returned succeeded");
                if (c.start() < closeStart && c.end() > closeStart) {
                    sawInFlight = true;
                    // The worker's clock reading after encode() returned may trail close()'s return by scheduling
                    // delay; a close() that did not wait would return about a whole encode earlier.
                    long slack = Math.max(TimeUnit.MILLISECONDS.toNanos(200), serialNanos / 2);
                    assertTrue(c.end() - closeEnd < slack, String.format(
                            "close() returned %.0f ms before the encode in flight finished (one encode: %.0f ms)",
                            (c.end() - closeEnd) / 1e6, serialNanos / 1e6));
                }
            }
            assertClosed("an encode after close() returned", () -> model.imageEncoder().encode(input));
            return sawInFlight;
        } finally {
            pool.shutdownNow();
            backend.close();
        }
    }
}
