package dev.medsam.server;

import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.SamModel;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The bundled tiny checkpoint on a backend of its own, shared by the server test classes that only use a model
 * ({@link TestServer}): building the network and its first decoder run cost one to two seconds, and a server over a
 * model that is already loaded starts in milliseconds. Each {@link TestServer} started on it wraps it in a
 * {@link dev.medsam.core.testing.CountingModel} and a session of its own, so encoder counts and embedding caches stay
 * per server; only the network is shared. (Loading and closing models is the backends' tests' subject, not the
 * server's.)
 *
 * <p>A test class gets it as a parameter of its {@code @BeforeAll} or {@code @Test} method, with
 * {@code @ExtendWith(SharedModel.Resolver.class)}.
 * It lives in JUnit's root store, which closes it when the test run ends; its users must not close it. The model loads
 * on the first {@link #model()} call, so a class whose tests all skip (no shared fixtures) loads nothing. Thread-safe,
 * as models are.
 */
final class SharedModel implements AutoCloseable {

    private Backend backend;
    private SamModel model;
    private boolean closed;

    private SharedModel() {
    }

    /** The tiny model, loaded on the first call; the test run closes it. */
    synchronized SamModel model() {
        if (closed) {
            throw new IllegalStateException("the shared tiny model is closed (the test run has ended)");
        }
        if (model == null) {
            try {
                SamCheckpoint weights = SamCheckpoint.load(TestServer.demoDir().resolve("tiny_sam.pth"));
                Backend b = Backends.open(BackendOptions.builder().intraOpThreads(2).build());
                try {
                    model = b.load(weights.architecture(), weights.weights());
                } catch (RuntimeException e) {
                    b.close();
                    throw e;
                }
                backend = b;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model;
    }

    /** Closes the model and its backend, if they were loaded. Called by JUnit when the test run ends. */
    @Override
    public synchronized void close() {
        closed = true;
        if (model != null) {
            model.close();
            backend.close();
            model = null;
            backend = null;
        }
    }

    /** Resolves a {@link SharedModel} parameter: the one of this test run. */
    static final class Resolver implements ParameterResolver {

        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedModel.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == SharedModel.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(SharedModel.class, k -> new SharedModel(),
                    SharedModel.class);
        }
    }
}
