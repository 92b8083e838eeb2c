package dev.medsam.core.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared test material lives (the {@code shared/} folder beside the repository): the system property
 * {@code medsam.shared}, else the environment variable {@code MEDSAM_SHARED}, else the build's default
 * ({@code medsam.shared.default}, set by the parent POM to {@code ../shared} from the repository root).
 *
 * <p>Tests that need it call {@link #require(String)}: when the folder is absent (a clone without
 * {@code ../shared}), they are skipped with a message saying where it was looked for; {@code .ci/run}
 * always provides it.
 */
public final class Fixtures {

    private Fixtures() {
    }

    /** The shared folder (which may not exist). */
    public static Path sharedDir() {
        String dir = System.getProperty("medsam.shared");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("MEDSAM_SHARED");
        }
        if (dir == null || dir.isBlank()) {
            dir = System.getProperty("medsam.shared.default");
        }
        if (dir == null || dir.isBlank()) {
            dir = "../shared";
        }
        return Path.of(dir).toAbsolutePath().normalize();
    }

    /** Whether the shared folder is present. */
    public static boolean available() {
        return Files.isDirectory(sharedDir());
    }

    /**
     * A path inside the shared folder, e.g. {@code fixtures/sam-parity/tiny/input.npy}. Skips the calling test
     * if the shared folder is absent; fails it if the folder is there but the file is not (a broken fixture set
     * must not pass silently).
     */
    public static Path require(String relative) {
        Path shared = sharedDir();
        Assumptions.assumeTrue(Files.isDirectory(shared),
                "shared fixtures not found at " + shared + " (set -Dmedsam.shared or MEDSAM_SHARED)");
        Path p = shared.resolve(relative);
        if (!Files.exists(p)) {
            throw new AssertionError("fixture missing: " + p);
        }
        return p;
    }

    /** A file of the SAM parity fixtures, e.g. {@code tiny/box/sparse.npy}. */
    public static Path samParity(String relative) {
        return require("fixtures/sam-parity/" + relative);
    }
}
