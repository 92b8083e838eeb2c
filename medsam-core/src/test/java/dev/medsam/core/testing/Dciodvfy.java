package dev.medsam.core.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dciodvfy (David Clunie's dicom3tools, Debian package dicom3tools) as the oracle for the DICOM SEG files that tests
 * write: "Error" lines fail the test, warnings are allowed. Skips the calling test with a reason when dciodvfy is not
 * installed (.ci/run installs it).
 */
public final class Dciodvfy {

    private Dciodvfy() {
    }

    /** Asserts that dciodvfy checked {@code file} as a Segmentation IOD and reported no error. */
    public static void assertCleanSegmentation(Path file) throws IOException, InterruptedException {
        boolean installed = false;
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            installed |= !d.isEmpty() && Files.isExecutable(Path.of(d, "dciodvfy"));
        }
        Assumptions.assumeTrue(installed, "dciodvfy (Debian package dicom3tools) is not installed");
        Process p = new ProcessBuilder("dciodvfy", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("dciodvfy did not finish in 120 s on " + file);
        }
        // dciodvfy names the IOD it checked; without that line it did not recognise the object at all
        assertTrue(out.contains("Segmentation"), "dciodvfy did not check a Segmentation IOD in " + file + ":\n" + out);
        List<String> errors = out.lines().filter(l -> l.startsWith("Error")).toList();
        assertTrue(errors.isEmpty(), "dciodvfy errors in " + file + ":\n" + String.join("\n", errors));
    }
}
