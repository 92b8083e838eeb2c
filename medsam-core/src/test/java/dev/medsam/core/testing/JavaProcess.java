package dev.medsam.core.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a JDK tool (java, jshell) as a separate process with this test run's class path: as a user would, or to
 * measure something in a JVM of its own (heap settings, resident memory).
 */
public final class JavaProcess {

    /** Exit code and the two output streams of a finished process. */
    public record Finished(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private JavaProcess() {
    }

    /** The tool under this JVM's java.home (so a test runs the same JDK as Maven), e.g. "java" or "jshell". */
    public static Path tool(String name) {
        String exe = File.separatorChar == '\\' ? name + ".exe" : name;
        return Path.of(System.getProperty("java.home"), "bin", exe);
    }

    /**
     * The test class path: Surefire's manifest-only booter jar hides it from java.class.path in some set-ups,
     * so its own property comes first.
     */
    public static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        return cp;
    }

    /** Runs {@code command} in {@code workDir} with extra environment entries (a null value removes one). */
    public static Finished run(List<String> command, Path workDir, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        return run(command, workDir, env, timeoutSeconds, null);
    }

    /** {@link #run(List, Path, Map, long)} with standard input read from {@code stdin} (null: an empty pipe). */
    public static Finished run(List<String> command, Path workDir, Map<String, String> env, long timeoutSeconds,
                               Path stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile("medsam-test", ".out");
        Path err = Files.createTempFile("medsam-test", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin != null) {
                pb.redirectInput(stdin.toFile());
            }
            env.forEach((k, v) -> {
                if (v == null) {
                    pb.environment().remove(k);
                } else {
                    pb.environment().put(k, v);
                }
            });
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(command.get(0) + " did not finish in " + timeoutSeconds + " s; output so far:\n"
                        + Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Finished(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
