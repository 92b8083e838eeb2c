package dev.medsam.core.testing.conformance;

import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.BackendProvider;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.TinyCheckpoint;
import org.junit.jupiter.api.Nested;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What every part of the conformance suite shares: the provider under test, found by name through
 * {@link Backends#providers()} (ServiceLoader, as applications find it), and the tiny committed model.
 *
 * <p>Subclasses pass the provider's name to the constructor; a backend whose tests need other options (a device,
 * a thread count) overrides {@link #options()}.
 */
public abstract class BackendConformance {

    /** The parity fixtures' box prompt, [95, 255, 190, 350] in the 512x512 original, in the 1024 model frame. */
    protected static final float[] BOX_1024 = {190, 510, 380, 700};

    /** Every part of the suite; a backend's test class extends each of them (see {@link #assertWholeSuite}). */
    public static final List<Class<? extends BackendConformance>> SUITE = List.of(ParityConformance.class,
            LifecycleConformance.class, ConcurrencyConformance.class, ErrorConformance.class,
            NativeMemoryConformance.class);

    private final String providerName;

    protected BackendConformance(String providerName) {
        this.providerName = Objects.requireNonNull(providerName, "provider name");
    }

    /** The name the backend's provider registers. */
    protected final String providerName() {
        return providerName;
    }

    /**
     * Options every test opens the backend with: two intra-op threads (the machines that run tests are small). The
     * parts that share a model ({@link SharedTinyModel}) share one per provider and options, so a part that overrides
     * this gets a model of its own.
     */
    protected BackendOptions options() {
        return BackendOptions.builder().intraOpThreads(2).build();
    }

    /** The provider under test, as ServiceLoader finds it; fails naming what was found if it is not there. */
    protected final BackendProvider provider() {
        return Backends.providers().stream().filter(p -> p.name().equals(providerName)).findFirst()
                .orElseThrow(() -> new AssertionError("no backend provider named '" + providerName
                        + "' on the class path; found " + Backends.providers().stream().map(BackendProvider::name).toList()));
    }

    /** A fresh backend with {@link #options()}; the caller closes it. */
    protected final Backend openBackend() {
        return provider().open(options());
    }

    /** The tiny committed model on {@code backend}; the caller closes it (or the backend). */
    protected static SamModel loadTiny(Backend backend) {
        return backend.load(TinyCheckpoint.ARCHITECTURE, TinyCheckpoint.weights());
    }

    /**
     * Fails unless the given test classes, or their {@code @Nested} classes, extend every class of {@link #SUITE},
     * so that a part added to the suite later cannot be left out by a backend without a failing test. (The slow
     * part, {@link NativeMemoryConformance}, is best extended by a top-level class: a nested one leaves its enclosing
     * class with no test of its own in {@code -Pslow-tests} runs, reported as "Tests run: 0".)
     */
    public static void assertWholeSuite(Class<?>... backendTests) {
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> t : backendTests) {
            classes.add(t);
            Arrays.stream(t.getDeclaredClasses()).filter(c -> c.isAnnotationPresent(Nested.class)).forEach(classes::add);
        }
        List<String> missing = SUITE.stream()
                .filter(part -> classes.stream().noneMatch(part::isAssignableFrom))
                .map(Class::getSimpleName).toList();
        if (!missing.isEmpty()) {
            throw new AssertionError(Arrays.stream(backendTests).map(Class::getName).toList()
                    + " extend no class of " + missing);
        }
    }

    /** A box prompt in the 1024 model frame. */
    protected static ModelPrompt box(float x0, float y0, float x1, float y1) {
        return ModelPrompt.builder().box(new float[] {x0, y0, x1, y1}).build();
    }
}
