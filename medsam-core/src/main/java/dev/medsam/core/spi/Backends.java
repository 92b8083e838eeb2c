package dev.medsam.core.spi;

import dev.medsam.core.spi.BackendException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds and opens a backend.
 *
 * <p>Selection order: the name passed to {@link #open(String, BackendOptions)}, else the system property
 * {@value #PROPERTY}, else every provider by descending priority until one opens. When none opens, the
 * {@link BackendException} lists every provider found and why each failed.
 */
public final class Backends {

    /** System property naming the backend to use, e.g. {@code -Dmedsam.backend=tensorflow}. */
    public static final String PROPERTY = "medsam.backend";

    private Backends() {
    }

    /** The providers visible to this class's class loader, highest priority first. */
    public static List<BackendProvider> providers() {
        return providers(ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()));
    }

    static List<BackendProvider> providers(Iterable<BackendProvider> found) {
        List<BackendProvider> list = new ArrayList<>();
        found.forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed().thenComparing(BackendProvider::name));
        return list;
    }

    /**
     * Opens the backend named by the system property {@value #PROPERTY}, or, without it, the first provider that
     * opens in order of priority.
     *
     * @throws BackendException (kind UNAVAILABLE) if the property names no provider or no provider opens
     */
    public static Backend open(BackendOptions options) {
        return open(Optional.empty(), options, providers(), System.getProperty(PROPERTY));
    }

    /**
     * Opens the provider called {@code name} (case-insensitive, e.g. {@code tensorflow}); the system property is
     * not consulted.
     *
     * @throws BackendException (kind UNAVAILABLE) if no provider has that name or it does not open
     */
    public static Backend open(String name, BackendOptions options) {
        Objects.requireNonNull(name, "backend name");
        return open(Optional.of(name), options, providers(), System.getProperty(PROPERTY));
    }

    static Backend open(Optional<String> name, BackendOptions options, List<BackendProvider> providers,
                        String propertyValue) {
        Objects.requireNonNull(options, "options");
        Optional<String> wanted = name.isPresent() ? name
                : Optional.ofNullable(propertyValue).map(String::trim).filter(s -> !s.isEmpty());
        List<BackendProvider> candidates = providers;
        if (wanted.isPresent()) {
            String w = wanted.get();
            candidates = providers.stream().filter(p -> p.name().equalsIgnoreCase(w)).toList();
            if (candidates.isEmpty()) {
                throw new BackendException(BackendException.Kind.UNAVAILABLE, "no backend named '" + w + "'"
                        + (name.isPresent() ? "" : " (from -D" + PROPERTY + ")") + "; found: " + describe(providers));
            }
        }
        if (candidates.isEmpty()) {
            throw new BackendException(BackendException.Kind.UNAVAILABLE,
                    "no MedSAM backend on the class path: add medsam-tensorflow (and its native library for this platform)");
        }
        StringBuilder failures = new StringBuilder();
        BackendException first = null;
        for (BackendProvider p : candidates) {
            try {
                return Objects.requireNonNull(p.open(options), "provider " + p.name() + " returned no backend");
            } catch (RuntimeException | LinkageError e) {
                if (first == null) {
                    first = e instanceof BackendException be ? be : null;
                }
                failures.append(System.lineSeparator()).append("  ").append(p.name()).append(" (priority ")
                        .append(p.priority()).append("): ").append(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        BackendException.Kind kind = candidates.size() == 1 && first != null ? first.kind() : BackendException.Kind.UNAVAILABLE;
        throw new BackendException(kind, "no backend could start with " + options + ":" + failures);
    }

    private static String describe(List<BackendProvider> providers) {
        if (providers.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (BackendProvider p : providers) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(p.name()).append(" (priority ").append(p.priority()).append(')');
        }
        return sb.toString();
    }
}
