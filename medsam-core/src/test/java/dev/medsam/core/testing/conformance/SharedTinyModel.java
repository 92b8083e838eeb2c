package dev.medsam.core.testing.conformance;

import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.TinyCheckpoint;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.HashMap;
import java.util.Map;

/**
 * The tiny committed model on a backend of its own, shared by the parts of the suite that only use a model: one per
 * provider and {@link BackendConformance#options() options} for the whole test run, so that {@link ParityConformance},
 * {@link ConcurrencyConformance} and {@link ErrorConformance} pay for building the network, and for each decoder
 * path's first run, once instead of once each (about a second per load on the tiny model). Parts that are about
 * loading and closing ({@link LifecycleConformance}) open their own.
 *
 * <p>A part gets it as a parameter of its {@code @BeforeAll} method ({@code @TestInstance(PER_CLASS)}, annotated
 * {@code @ExtendWith(SharedTinyModel.Resolver.class)}). It lives in JUnit's root store, which closes it (and so its
 * backend) when the test run ends. Its users must not close the model or the backend, nor load a model on the
 * backend that they leave open. Thread-safe, as models are.
 */
public final class SharedTinyModel implements AutoCloseable {

    private final Backend backend;
    private final SamModel model;
    private final Map<Integer, ImageEmbedding> embeddings = new HashMap<>();

    private SharedTinyModel(Backend backend, SamModel model) {
        this.backend = backend;
        this.model = model;
    }

    private static SharedTinyModel open(BackendConformance part) {
        Backend backend = part.openBackend();
        try {
            return new SharedTinyModel(backend, BackendConformance.loadTiny(backend));
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        }
    }

    /** The backend the model was loaded on; the run closes it. */
    public Backend backend() {
        return backend;
    }

    /** The tiny committed model; the run closes it. */
    public SamModel model() {
        return model;
    }

    /**
     * This model's embedding of {@link TinyCheckpoint#syntheticInput(int) syntheticInput(seed)}, encoded on the
     * calling thread the first time it is asked for (so never concurrently with another encode of this holder) and
     * then kept: a test that needs an embedding to decode, or a serial result to compare with, does not encode the
     * same input again.
     */
    public synchronized ImageEmbedding syntheticEmbedding(int seed) {
        ImageEmbedding e = embeddings.get(seed);
        if (e == null) {
            e = model.imageEncoder().encode(TinyCheckpoint.syntheticInput(seed));
            embeddings.put(seed, e);
        }
        return e;
    }

    /** Closes the backend, and with it the model. Called by JUnit when the test run ends. */
    @Override
    public void close() {
        backend.close();
    }

    /**
     * Resolves a {@link SharedTinyModel} parameter of a {@code @BeforeAll} method of a part of the suite (with
     * {@code @TestInstance(PER_CLASS)}, so that the part's provider and options are known): the one for that
     * provider and those options, opened by the first part that asks.
     */
    public static final class Resolver implements ParameterResolver {

        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedTinyModel.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == SharedTinyModel.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            Object instance = context.getTestInstance().orElseThrow(() -> new ParameterResolutionException(
                    "a SharedTinyModel is given to @BeforeAll methods of @TestInstance(PER_CLASS) classes only ("
                            + context.getDisplayName() + ")"));
            if (!(instance instanceof BackendConformance part)) {
                throw new ParameterResolutionException(instance.getClass().getName() + " is not a part of the "
                        + "conformance suite (" + BackendConformance.class.getSimpleName() + ")");
            }
            // BackendOptions has no equals; its toString names every setting, so equal strings mean equal options
            String key = part.providerName() + " " + part.options();
            return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(key, k -> open(part), SharedTinyModel.class);
        }
    }
}
