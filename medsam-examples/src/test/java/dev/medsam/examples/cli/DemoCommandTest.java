package dev.medsam.examples.cli;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Prompts;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.testing.JavaProcess;
import dev.medsam.examples.DemoData;
import dev.medsam.io.image2d.Overlay;
import dev.medsam.examples.ModelCache;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code medsam demo} as a user runs it: in-process for the details, once as its own process in a fresh folder. */
class DemoCommandTest {

    private static final List<String> STAGES = List.of("read image (DICOM)", "read checkpoint", "start backend",
            "build network", "CT window soft-tissue", "preprocess to 1024 x 1024", "image encoder",
            "prompt encoder + mask decoder", "postprocess to 512 x 512", "write files", "total");

    @TempDir
    Path dir;

    @BeforeEach
    void emptyModelCache() throws IOException {
        System.setProperty("medsam.home", Files.createDirectories(dir.resolve("cache")).toString());
    }

    @AfterEach
    void restore() {
        System.clearProperty("medsam.home");
    }

    @Test
    void withNoCheckpointItRunsTheTinyOneSaysSoOnceAndWritesTheThreeFiles() throws IOException {
        assumeTrue(System.getenv("MEDSAM_CHECKPOINT") == null, "MEDSAM_CHECKPOINT is set in this environment");
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("demo", "--out-dir", out.toString());
        assertEquals(0, r.exitCode(), r.toString());

        // one line, saying the mask is not meaningful and how to get the real weights
        List<String> errLines = r.err().strip().lines().toList();
        assertEquals(1, errLines.size(), r.err());
        String note = errLines.get(0);
        assertTrue(note.contains("NOT meaningful") && note.contains("medsam_vit_b.pth")
                && note.contains("https://github.com/bowang-lab/MedSAM") && note.contains("medsam download --url"), note);
        assertTrue(r.out().contains("(bundled tiny test checkpoint)"), r.out());
        for (String stage : STAGES) {
            assertTrue(Pattern.compile("(?m)^  " + Pattern.quote(stage) + ".* +[0-9]+\\.[0-9] ms$").matcher(r.out()).find(),
                    stage + " in\n" + r.out());
        }
        for (String name : new String[] {"overlay.png", "mask.png", "mask.nii.gz"}) {
            assertTrue(r.out().contains("  " + out.resolve(name) + "  ("), name + " in\n" + r.out());
        }
        assertEquals(List.of("mask.nii.gz", "mask.png", "overlay.png"), list(out));

        // the files agree with each other and with the slice
        MedicalImage ct = MedicalImages.read(DemoData.ctSlice()).image();
        MedicalImage nifti = MedicalImages.read(out.resolve("mask.nii.gz")).image();
        assertEquals(DataType.UINT8, nifti.dataType());
        assertEquals(512 * 512, nifti.voxelCount());
        assertTrue(nifti.affine(CoordinateSystem.LPS).approximatelyEquals(ct.affine(CoordinateSystem.LPS), 1e-4),
                nifti.affine(CoordinateSystem.LPS) + " vs " + ct.affine(CoordinateSystem.LPS));
        byte[] bits = new byte[512 * 512];
        for (int i = 0; i < bits.length; i++) {
            double v = nifti.get(i);
            assertTrue(v == 0 || v == 1, "NIfTI value " + v);
            bits[i] = (byte) v;
        }
        BinaryMask mask = BinaryMask.of(512, 512, bits);
        MedicalImage png = MedicalImages.read(out.resolve("mask.png")).image();
        for (int i = 0; i < bits.length; i++) {
            assertEquals(bits[i] * 255.0, png.get(i), "mask.png pixel " + i);
        }
        Matcher m = Pattern.compile("mask: ([0-9,]+) pixels").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertEquals(mask.count(), Long.parseLong(m.group(1).replace(",", "")));

        // the overlay is exactly the windowed slice with this mask and the liver box drawn on it
        MedicalImage windowed = IntensityPreset.ctWindow("soft-tissue").apply(ct);
        MedicalImage expected = Overlay.builder(windowed).mask(mask, Overlay.YELLOW, Overlay.GREEN)
                .box(DemoData.LIVER_BOX).toImage();
        MedicalImage overlay = MedicalImages.read(out.resolve("overlay.png")).image();
        assertEquals(3, overlay.components());
        assertArrayEquals(expected.dims(), overlay.dims());
        assertEquals(expected.data(), overlay.data());

        // and the demo's stage-by-stage wiring gives the session's mask
        try (SegmentationSession session = SegmentationSession.builder(DemoData.tinyCheckpoint()).build()) {
            session.setImage(ct, IntensityPreset.ctWindow("soft-tissue"));
            assertEquals(session.segment(Prompts.of(DemoData.LIVER_BOX)).binary(), mask);
        }
    }

    @Test
    void aCheckpointInTheModelCacheIsUsedWithoutTheNote() throws IOException {
        assumeTrue(System.getenv("MEDSAM_CHECKPOINT") == null, "MEDSAM_CHECKPOINT is set in this environment");
        Path cached = ModelCache.fromEnvironment().directory().resolve(ModelCache.MEDSAM_CHECKPOINT);
        Files.copy(DemoData.tinyCheckpoint(), cached);
        Path out = dir.resolve("a/b");
        CliRun r = CliRun.of("demo", "-o", out.toString(), "--threads", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err());
        assertTrue(r.out().contains("checkpoint: " + cached + " (model cache)"), r.out());
        assertEquals(List.of("mask.nii.gz", "mask.png", "overlay.png"), list(out));
    }

    @Test
    void checkpointResolutionOrder() throws IOException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path given = dir.resolve("given.pth");
        Path env = dir.resolve("env.pth");
        ModelCache empty = ModelCache.of(Map.of("MEDSAM_HOME", home.toString()), dir.toString());
        assertEquals(new DemoCommand.CheckpointChoice(given, "--checkpoint", false), DemoCommand.chooseCheckpoint(given, empty));
        DemoCommand.CheckpointChoice tiny = DemoCommand.chooseCheckpoint(null, empty);
        assertTrue(tiny.tiny() && tiny.path().equals(DemoData.tinyCheckpoint()), tiny.toString());
        Path cached = Files.copy(DemoData.tinyCheckpoint(), home.resolve(ModelCache.MEDSAM_CHECKPOINT));
        assertEquals(new DemoCommand.CheckpointChoice(cached, "model cache", false), DemoCommand.chooseCheckpoint(null, empty));
        ModelCache withEnv = ModelCache.of(Map.of("MEDSAM_HOME", home.toString(), "MEDSAM_CHECKPOINT", env.toString()),
                dir.toString());
        assertEquals(new DemoCommand.CheckpointChoice(env, "$MEDSAM_CHECKPOINT", false), DemoCommand.chooseCheckpoint(null, withEnv));
        assertEquals(new DemoCommand.CheckpointChoice(given, "--checkpoint", false), DemoCommand.chooseCheckpoint(given, withEnv));
    }

    @Test
    void badArgumentsAreUsageErrorsAndAMissingCheckpointAFailure() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        CliRun r = CliRun.of("demo", "--out-dir", file.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("is a file, not a folder"), r.err());
        r = CliRun.of("demo", "--device", "tpu", "-o", dir.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--device must be cpu, gpu or auto"), r.err());
        r = CliRun.of("demo", "--threads", "-1", "-o", dir.toString());
        assertEquals(2, r.exitCode(), r.toString());

        Path missing = dir.resolve("medsam_vit_b.pth");
        r = CliRun.of("demo", "--checkpoint", missing.toString(), "-o", dir.resolve("out").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("medsam demo: ") && r.err().contains(missing.toString()), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(dir.resolve("out")), "nothing written when the model does not load");
    }

    /**
     * The launcher's way: a new JVM in a fresh working folder, no model anywhere, outputs in ./medsam-demo. Tagged
     * {@code slow} (a second JVM that loads TensorFlow): {@code .ci/run} runs it with {@code -Pslow-tests}, besides
     * the demo it runs on the module path and from the unpacked distribution; the tests above run it in-process.
     */
    @Test
    @Tag("slow")
    void runsAsItsOwnProcessFromAnyFolderWithNothingButTheClassPath() throws Exception {
        Path work = Files.createDirectories(dir.resolve("fresh"));
        Map<String, String> env = new HashMap<>();
        env.put("MEDSAM_CHECKPOINT", null);
        env.put("MEDSAM_HOME", dir.resolve("cache").toString());
        env.put("TF_CPP_MIN_LOG_LEVEL", "1");
        JavaProcess.Finished p = JavaProcess.run(List.of(JavaProcess.tool("java").toString(), "-Xmx2g", "-cp",
                JavaProcess.classPath(), "dev.medsam.examples.cli.MedSamCommand", "demo"), work, env, 300);
        assertEquals(0, p.exitCode(), p.toString());
        assertEquals(List.of("mask.nii.gz", "mask.png", "overlay.png"), list(work.resolve("medsam-demo")));
        assertTrue(p.out().contains("  medsam-demo/overlay.png  ("), p.toString());
        assertTrue(p.err().contains("NOT meaningful"), p.toString());
    }

    private static List<String> list(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
