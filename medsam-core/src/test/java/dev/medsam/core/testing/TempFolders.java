package dev.medsam.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removing the temporary folders that jqwik property classes make themselves (jqwik has no {@code @TempDir}):
 * create one in {@code @BeforeContainer}, remove it with {@link #deleteTree} in {@code @AfterContainer}.
 */
public final class TempFolders {

    private TempFolders() {
    }

    /** Deletes {@code dir} and everything in it; a folder that is already gone is fine. */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> s = Files.walk(dir)) {
            paths = s.sorted(Comparator.reverseOrder()).toList(); // children before their folder
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
