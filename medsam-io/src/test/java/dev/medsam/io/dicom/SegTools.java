package dev.medsam.io.dicom;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Third-party checks of the SEG files the tests write: dciodvfy (dicom3tools), dcmdump (DCMTK) and pydicom. A check
 * whose tool is not installed skips the calling test with a reason (CI installs all three, see .ci/run).
 */
final class SegTools {

    private SegTools() {
    }

    record Run(int exit, String output) {
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in 120 s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** dciodvfy's "Error" lines for {@code file} (warnings are allowed); skips when dciodvfy is absent. */
    static List<String> dciodvfyErrors(Path file) throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath("dciodvfy"), "dciodvfy (Debian package dicom3tools) is not installed");
        Run r = run(List.of("dciodvfy", file.toString()));
        List<String> errors = new ArrayList<>();
        for (String line : r.output().split("\\R")) {
            if (line.startsWith("Error")) {
                errors.add(line);
            }
        }
        // dciodvfy names the IOD it checked; without that line it did not recognise the object at all
        assertTrue(r.output().contains("Segmentation"), "dciodvfy did not check a Segmentation IOD:\n" + r.output());
        return errors;
    }

    static void assertDciodvfyClean(Path file) throws IOException, InterruptedException {
        List<String> errors = dciodvfyErrors(file);
        assertTrue(errors.isEmpty(), "dciodvfy errors for " + file + ":\n" + String.join("\n", errors));
    }

    /** dcmdump's full dump of {@code file}; asserts it parsed without error. Skips when dcmdump is absent. */
    static String dcmdump(Path file) throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath("dcmdump"), "dcmdump (Debian package dcmtk) is not installed");
        Run r = run(List.of("dcmdump", "-M", "+L", file.toString()));
        assertEquals(0, r.exit(), "dcmdump failed:\n" + r.output());
        assertTrue(!r.output().contains("E: ") && !r.output().contains("W: "), "dcmdump complained:\n" + r.output());
        return r.output();
    }

    /**
     * Runs {@code script} with pydicom imported and the file's path in {@code sys.argv[1]}; returns its output.
     * Skips when python3 or pydicom is absent.
     */
    static String pydicom(Path file, String script) throws IOException, InterruptedException {
        // Debian's python3-pydicom belongs to /usr/bin/python3, which another python3 on the PATH (pyenv) may hide
        String python = null;
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            if ((candidate.startsWith("/") ? Files.isExecutable(Path.of(candidate)) : onPath(candidate))
                    && run(List.of(candidate, "-c", "import pydicom")).exit() == 0) {
                python = candidate;
                break;
            }
        }
        Assumptions.assumeTrue(python != null, "pydicom (Debian package python3-pydicom) is not installed");
        Run r = run(List.of(python, "-c", "import sys, pydicom\n" + script, file.toString()));
        assertEquals(0, r.exit(), "the pydicom script failed:\n" + r.output());
        return r.output();
    }
}
