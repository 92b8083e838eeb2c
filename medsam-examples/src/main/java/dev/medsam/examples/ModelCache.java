package dev.medsam.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where MedSAM checkpoints live on this machine: the system property {@code medsam.home}, else
 * {@code $MEDSAM_HOME}, else {@code ~/.cache/medsam}.
 */
public final class ModelCache {

    /** File name of the official MedSAM checkpoint. */
    public static final String MEDSAM_CHECKPOINT = "medsam_vit_b.pth";

    private final Map<String, String> environment;
    private final String userHome;

    private ModelCache(Map<String, String> environment, String userHome) {
        this.environment = environment;
        this.userHome = userHome;
    }

    /** The cache as this process's system properties and environment define it. */
    public static ModelCache fromEnvironment() {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        String property = System.getProperty("medsam.home");
        if (property != null && !property.isBlank()) {
            env.put("MEDSAM_HOME", property);
        }
        return new ModelCache(Map.copyOf(env), System.getProperty("user.home"));
    }

    /** A cache over an explicit environment (tests). */
    public static ModelCache of(Map<String, String> environment, String userHome) {
        return new ModelCache(Map.copyOf(environment), userHome);
    }

    /** The cache folder (it may not exist yet). */
    public Path directory() {
        String home = environment.get("MEDSAM_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home).toAbsolutePath();
        }
        return Path.of(userHome, ".cache", "medsam");
    }

    /**
     * The checkpoint a command should use when none is given: {@code $MEDSAM_CHECKPOINT} if set, else
     * {@code medsam_vit_b.pth} in the cache folder if it exists.
     */
    public Optional<Path> defaultCheckpoint() {
        String env = environment.get("MEDSAM_CHECKPOINT");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env));
        }
        Path cached = directory().resolve(MEDSAM_CHECKPOINT);
        return Files.isRegularFile(cached) ? Optional.of(cached) : Optional.empty();
    }
}
