package dev.medsam.examples;

import dev.medsam.core.Prompts;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.testing.JavaProcess;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * medsam-examples/quickstart.jsh run by the JDK's jshell, non-interactively, the way bin/medsam-jshell starts it
 * (JShell's default startup, then startup.jsh), with this build's class path.
 *
 * <p>Tagged {@code slow}: jshell starts two JVMs and compiles every snippet (about 11 s on 2 cores); {@code .ci/run}
 * runs it with {@code -Pslow-tests}. {@code QuickStartTest} runs the same steps through the API in the default run.
 */
@Tag("slow")
class JShellQuickstartTest {

    @TempDir
    Path dir;

    @Test
    void theQuickstartScriptSegmentsTheBundledSliceAndPrintsThePixelCount() throws Exception {
        Path jshell = JavaProcess.tool("jshell");
        assumeTrue(Files.isExecutable(jshell), "no jshell in " + jshell.getParent() + " (a JRE, not a JDK)");
        Path module = moduleDir();
        Path startup = module.resolve("startup.jsh");
        Path script = module.resolve("quickstart.jsh");
        assertTrue(Files.isRegularFile(startup) && Files.isRegularFile(script), module.toString());

        Map<String, String> env = new HashMap<>();
        env.put("TF_CPP_MIN_LOG_LEVEL", "1");
        // as a user types it: /open the script, then use the session it leaves open at the prompt
        Path typed = Files.writeString(dir.resolve("typed.jsh"), "/open " + script + "\n"
                + "System.out.println(\"still open: \" + session.segment(Prompts.of(DemoData.LIVER_BOX)).binary().count());\n"
                + "session.close();\n/exit\n");
        JavaProcess.Finished p = JavaProcess.run(List.of(jshell.toString(), "--class-path", JavaProcess.classPath(),
                "-R-Xmx2g", "--startup", "DEFAULT", "--startup", startup.toString()), dir, env, 300, typed);
        assertEquals(0, p.exitCode(), p.toString());
        assertTrue(p.out().contains("image: MedicalImage[int16 [512, 512]"), p.toString());
        // jshell reports failed snippets and exceptions as "|  ..." feedback lines and carries on
        assertTrue(p.out().lines().noneMatch(l -> l.contains("|  Error") || l.contains("|  Exception"))
                        && p.err().lines().noneMatch(l -> l.startsWith("|")),
                "jshell reported a problem:\n" + p);
        Matcher m = Pattern.compile("(?m)^mask pixels: ([0-9]+)$").matcher(p.out());
        assertTrue(m.find(), p.toString());
        long count = Long.parseLong(m.group(1));
        assertTrue(p.out().contains("still open: " + count), "the script leaves a live session at the prompt:\n" + p);

        // the same segmentation in this JVM gives the same count
        MedicalImage ct = MedicalImages.read(DemoData.ctSlice()).image();
        try (SegmentationSession session = SegmentationSession.builder(DemoData.tinyCheckpoint()).build()) {
            session.setImage(ct, IntensityPreset.ctWindow("soft-tissue"));
            assertEquals(session.segment(Prompts.of(DemoData.LIVER_BOX)).binary().count(), count);
        }
    }

    /** medsam-examples/ (Surefire runs in the module folder and sets basedir). */
    private static Path moduleDir() {
        String base = System.getProperty("basedir");
        return Path.of(base == null ? System.getProperty("user.dir") : base).toAbsolutePath();
    }
}
