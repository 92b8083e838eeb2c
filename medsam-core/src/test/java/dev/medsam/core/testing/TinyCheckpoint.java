package dev.medsam.core.testing;

import dev.medsam.core.checkpoint.CheckpointException;
import dev.medsam.core.checkpoint.Checkpoints;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageTensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The tiny SAM checkpoint committed with the tests ({@code tiny_sam.pth} in this package's test resources,
 * byte-identical to the shared fixtures' {@code weights/tiny_sam.pth}; see SOURCES.md beside it): a real network
 * small enough for unit tests, available on a fresh clone without {@code ../shared}. Tests that need only a model
 * (not the reference outputs) use this instead of {@link Fixtures}.
 *
 * <p>Thread-safe; the weights are read once per JVM and shared (a {@link StateDict} is immutable).
 */
public final class TinyCheckpoint {

    /** The tiny image encoder: embed 96, depth 4, heads 3, window 14, global attention in blocks 1 and 3. */
    public static final SamArchitecture ARCHITECTURE = new SamArchitecture("custom", 96, 4, 3, 14, List.of(1, 3));

    /** SHA-256 of the file, as SOURCES.md records it. */
    public static final String SHA256 = "a39f736afdde8da46a31c86c310c4282ab586be35277f01f3567e5164a0e6b94";

    private static final String RESOURCE = "tiny_sam.pth";

    private static Path path;
    private static StateDict weights;

    private TinyCheckpoint() {
    }

    /**
     * The checkpoint as a file. From the test-classes folder it is the committed file itself; from the test-jar it
     * is copied once to a temporary file (deleted when the JVM exits), since checkpoints are memory-mapped.
     */
    public static synchronized Path path() {
        if (path == null) {
            URL url = TinyCheckpoint.class.getResource(RESOURCE);
            if (url == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path next to "
                        + TinyCheckpoint.class.getName() + " (medsam-core's test resources / test-jar)");
            }
            try {
                if (url.getProtocol().equals("file")) {
                    path = Path.of(url.toURI());
                } else {
                    Path copy = Files.createTempFile("medsam-tiny-sam", ".pth");
                    copy.toFile().deleteOnExit();
                    try (InputStream in = url.openStream()) {
                        Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                    }
                    path = copy;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot extract " + url, e);
            } catch (URISyntaxException e) {
                throw new IllegalStateException("bad resource URL " + url, e);
            }
        }
        return path;
    }

    /** The weights (memory-mapped, read once). */
    public static synchronized StateDict weights() {
        if (weights == null) {
            try {
                weights = Checkpoints.read(path());
            } catch (CheckpointException e) {
                throw new UncheckedIOException(e);
            }
        }
        return weights;
    }

    /**
     * A deterministic synthetic network input, (1, 3, 1024, 1024) in [0, 1] like MedSAM's min-max normalised
     * images: a bright disc on a gradient with a fine ripple, different per {@code seed}, so that an encoder has
     * structure to work on and two seeds give different embeddings. For tests that need an input but no reference.
     */
    public static ImageTensor syntheticInput(int seed) {
        int n = ImageTensor.SIZE;
        float[] v = new float[3 * n * n];
        double cx = n * (0.35 + 0.05 * (seed % 7));
        double cy = n * (0.55 - 0.03 * (seed % 5));
        double r2 = Math.pow(n * (0.18 + 0.01 * (seed % 3)), 2);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    double g = 0.25 * x / n + 0.15 * y / n;
                    double ripple = 0.05 * Math.sin((x * 0.11 + y * 0.07) * (1 + seed % 4) + c);
                    double disc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r2 ? 0.5 : 0.0;
                    v[(c * n + y) * n + x] = (float) Math.min(1.0, Math.max(0.0, g + ripple + disc));
                }
            }
        }
        return new ImageTensor(FloatTensor.wrap(new int[] {1, 3, n, n}, v));
    }
}
