package dev.medsam.tensorflow.internal;

import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.testing.JavaProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Native memory must not grow with use: every TensorFlow tensor of a call is closed, and the decoder cache is
 * bounded. {@link NativeMemoryProbe} runs the tiny model 200 times on two threads in a JVM of its own with a fixed,
 * pre-touched heap and reports its resident set size after a warm-up and after the 200 calls. (Measured in this
 * JVM instead, the heap growing under the calls' 4 MB embeddings once showed as +941 MB in CI.)
 */
class NativeMemoryTest {

    private static final Pattern REPORT = Pattern.compile(
            "native-memory before=(\\d+) after=(\\d+) cached=(\\d+) seconds-per-encode=([0-9.]+)");

    @Test
    void twoHundredEncodesDoNotGrowNativeMemory() throws Exception {
        Assumptions.assumeTrue(TinyModel.statusKb("VmRSS") > 0, "needs /proc/self/status");
        Fixtures.samParity("weights/tiny_sam.safetensors"); // skips without the shared fixtures
        JavaProcess.Finished run = JavaProcess.run(List.of(JavaProcess.tool("java").toString(), "-Xms1g", "-Xmx1g",
                        "-XX:+AlwaysPreTouch", "-Dmedsam.shared=" + Fixtures.sharedDir(), "-cp", JavaProcess.classPath(),
                        NativeMemoryProbe.class.getName()),
                Path.of("."), Map.of(), 600);
        assertEquals(0, run.exitCode(), run.toString());
        Matcher m = REPORT.matcher(run.out());
        assertTrue(m.find(), "no report from the probe: " + run);
        long before = Long.parseLong(m.group(1));
        long after = Long.parseLong(m.group(2));
        System.out.printf("native memory: VmRSS %d kB before, %d kB after 200 encodes (%+d kB), %s s per encode, "
                + "decoder cache %s images%n", before, after, after - before, m.group(4), m.group(3));
        // A leaked input tensor alone would be 12 MB per call (2.4 GB over 200 calls); allow 150 MB of noise.
        assertTrue(after - before < 150_000, "VmRSS grew by " + (after - before) + " kB over 200 encodes");
        assertTrue(Integer.parseInt(m.group(3)) <= TfBackend.DEFAULT_CACHE, "decoder cache " + m.group(3) + " images");
    }
}
