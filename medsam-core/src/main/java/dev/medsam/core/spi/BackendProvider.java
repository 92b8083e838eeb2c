package dev.medsam.core.spi;

import dev.medsam.core.spi.BackendException;

/**
 * A way to run the SAM network, found with {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/dev.medsam.core.spi.BackendProvider}.
 *
 * <p>Discovery must be cheap: constructing a provider and calling {@link #name()} and {@link #priority()}
 * load no native code. Native libraries load in {@link #open(BackendOptions)}.
 */
public interface BackendProvider {

    /** Short unique name, lower case, e.g. {@code tensorflow}. Used for explicit selection. */
    String name();

    /** Preference when nothing is named: the highest priority that opens wins. */
    int priority();

    /**
     * Starts the backend (loads its native runtime, checks the device).
     *
     * @throws BackendException with kind {@link BackendException.Kind#UNAVAILABLE} or
     *                          {@link BackendException.Kind#DEVICE} if it cannot run here, saying why
     */
    Backend open(BackendOptions options);
}
