package dev.medsam.core.testing;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where the shared test material lives (the {@code shared/} folder beside the repository): the system property
 * {@code medsam.shared}, else the environment variable {@code MEDSAM_SHARED}, else the build's default
 * ({@code medsam.shared.default}, set by the parent POM to {@code ../shared} from the repository root).
 *
 * <p>Tests that need it call {@link #require(String)}: when the folder is absent (a clone without
 * {@code ../shared}), they are skipped with a message saying where it was looked for; {@code .ci/run}
 * always provides it and sets {@code MEDSAM_REQUIRE_FIXTURES=1} (or {@code -Dmedsam.requireFixtures=true}),
 * which turns every such skip into a failure, so that CI cannot pass by skipping.
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
     * Whether tests that need the shared folder will be skipped: it is absent and not {@link #required()}. For
     * {@code @BeforeAll} methods, which must not skip (JUnit then reports the class as "Tests run: 0"): they
     * return early when this holds, and each test skips with the reason through {@link #require(String)}.
     */
    public static boolean willSkip() {
        return !available() && !required();
    }

    /**
     * For a {@code @TestFactory} that builds its tests from the shared folder: when {@link #willSkip()}, return this
     * instead. A factory that skips (or returns no tests) is reported as "Tests run: 0"; this one dynamic test is
     * reported as skipped, with the reason.
     */
    public static Stream<DynamicTest> skippedFactory(String name, String relative) {
        return Stream.of(DynamicTest.dynamicTest(name, () -> require(relative)));
    }

    /** Whether a missing shared folder fails the tests instead of skipping them (CI sets this). */
    public static boolean required() {
        String p = System.getProperty("medsam.requireFixtures");
        if (p != null && !p.isBlank()) {
            return Boolean.parseBoolean(p.strip());
        }
        String e = System.getenv("MEDSAM_REQUIRE_FIXTURES");
        return e != null && (e.strip().equals("1") || e.strip().equalsIgnoreCase("true"));
    }

    /**
     * A path inside the shared folder, e.g. {@code fixtures/sam-parity/tiny/input.npy}. Skips the calling test
     * if the shared folder is absent (fails it instead when {@link #required()}); fails it if the folder is there but the file is not (a broken fixture set
     * must not pass silently).
     */
    public static Path require(String relative) {
        Path shared = sharedDir();
        String missing = "shared fixtures not found at " + shared + " (set -Dmedsam.shared or MEDSAM_SHARED)";
        if (!Files.isDirectory(shared) && required()) {
            throw new AssertionError(missing + "; MEDSAM_REQUIRE_FIXTURES / medsam.requireFixtures forbids skipping");
        }
        Assumptions.assumeTrue(Files.isDirectory(shared), missing);
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
