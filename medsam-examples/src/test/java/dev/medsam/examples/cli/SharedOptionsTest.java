package dev.medsam.examples.cli;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The option mixins and helpers the model-running commands share: every command checks them the same way, before
 * it reads anything (usage errors, exit 2).
 */
class SharedOptionsTest {

    @TempDir
    Path dir;

    @Test
    void everyCommandRejectsNegativeThreadsUnknownDevicesAndPrecisionsAlike() throws IOException {
        Path missing = dir.resolve("missing.npy");
        Path npz = dir.resolve("in");
        Files.createDirectories(npz);
        String ckpt = dir.resolve("no-checkpoint.pth").toString();
        List<List<String>> threads = List.of(
                List.of("segment", "-c", ckpt, "-i", missing.toString(), "--box", "1,1,9,9", "-o",
                        dir.resolve("o.png").toString(), "--threads", "-3"),
                List.of("encode", "-c", ckpt, "--input", missing.toString(), "--save-embedding",
                        dir.resolve("e.npy").toString(), "--threads", "-3"),
                List.of("segment3d", "-c", ckpt, "-i", missing.toString(), "--box3d", "1,1,0,9,9,1", "-o",
                        dir.resolve("o.nii.gz").toString(), "--threads", "-3"),
                List.of("eval", "-c", ckpt, "--images", npz.toString(), "--gt", npz.toString(), "-o",
                        dir.resolve("out").toString(), "--threads", "-3"),
                List.of("demo", "-c", ckpt, "-o", dir.resolve("demo").toString(), "--threads", "-3"));
        for (List<String> args : threads) {
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(2, r.exitCode(), r.toString());
            assertTrue(r.err().contains("--threads must be 0 or more, got -3"), r.err());
        }
        List<List<String>> devices = List.of(
                List.of("segment", "-c", ckpt, "-i", missing.toString(), "--box", "1,1,9,9", "-o",
                        dir.resolve("o.png").toString(), "--device", "tpu"),
                List.of("encode", "-c", ckpt, "--input", missing.toString(), "--save-embedding",
                        dir.resolve("e.npy").toString(), "--device", "tpu"),
                List.of("demo", "-c", ckpt, "-o", dir.resolve("demo").toString(), "--device", "tpu"));
        for (List<String> args : devices) {
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(2, r.exitCode(), r.toString());
            assertTrue(r.err().contains("--device must be cpu, gpu or auto, got 'tpu'"), r.err());
        }
        for (List<String> args : threads) {
            List<String> withPrecision = new ArrayList<>(args.subList(0, args.size() - 2));
            withPrecision.addAll(List.of("--precision", "fp16"));
            CliRun r = CliRun.of(withPrecision.toArray(String[]::new));
            assertEquals(2, r.exitCode(), r.toString());
            assertTrue(r.err().contains("--precision must be fp32 or bf16, got 'fp16'"), r.err());
        }
        assertFalse(Files.exists(dir.resolve("demo")), "nothing is written on a usage error");
    }

    @Test
    void modalityOtherIsOnlyForSegment() {
        picocli.CommandLine cl = MedSamCommand.newCommandLine();
        MedicalImage u8 = MedicalImage.builder(DataType.UINT8, 2, 2).data(ByteBuffer.wrap(new byte[4])).build();
        assertEquals("as-is", IntensityChoice.parse(cl, null, "other", true).presetFor(u8).name());
        assertTrue(IntensityChoice.parse(cl, null, "other", true).preset().isEmpty());
        assertTrue(IntensityChoice.parse(cl, null, null, false).preset().isEmpty());
        assertEquals("percentile", IntensityChoice.parse(cl, null, " MR ", false).preset().orElseThrow().name());
        assertEquals("bone", IntensityChoice.parse(cl, "bone", "ct", false).preset().orElseThrow().name());
        picocli.CommandLine.ParameterException e = assertThrows(picocli.CommandLine.ParameterException.class,
                () -> IntensityChoice.parse(cl, null, "other", false));
        assertEquals("--modality must be ct or mr, got 'other'", e.getMessage());
        e = assertThrows(picocli.CommandLine.ParameterException.class,
                () -> IntensityChoice.parse(cl, "lung", "other", true));
        assertEquals("--window is a CT window; it cannot go with --modality other", e.getMessage());
    }

    @Test
    void numbersNeedExactlyTheCountAndFiniteValues() {
        picocli.CommandLine cl = MedSamCommand.newCommandLine();
        assertArrayEquals(new double[] {1, -2.5, 3e2}, CliValues.numbers(cl, "--x", " 1, -2.5 ,3e2", 3, "three"));
        picocli.CommandLine.ParameterException e = assertThrows(picocli.CommandLine.ParameterException.class,
                () -> CliValues.numbers(cl, "--x", "1,2,3,", 3, "X,Y,Z"));
        assertEquals("--x 1,2,3,: expected X,Y,Z", e.getMessage());
        e = assertThrows(picocli.CommandLine.ParameterException.class,
                () -> CliValues.numbers(cl, "--x", "1,Infinity", 2, "X,Y"));
        assertEquals("--x 1,Infinity: 'Infinity' is not a finite number", e.getMessage());
        assertEquals("(5,)", CliValues.shapeText(new int[] {5}));
        assertEquals("(1, 256, 64, 64)", CliValues.shapeText(new int[] {1, 256, 64, 64}));
    }

    @Test
    void sessionStagesArriveUnderTheirNamesAndWarmUpRunsAreNotCounted() throws IOException {
        StageTimings t = new StageTimings();
        dev.medsam.core.StageListener l = t.listener(stage -> stage == dev.medsam.core.StageListener.Stage.ENCODER
                ? "encode" : "other");
        l.stageCompleted(dev.medsam.core.StageListener.Stage.ENCODER, java.time.Duration.ofMillis(1500));
        t.untimed(() -> {
            l.stageCompleted(dev.medsam.core.StageListener.Stage.ENCODER, java.time.Duration.ofSeconds(100));
            return null;
        });
        l.stageCompleted(dev.medsam.core.StageListener.Stage.DECODER, java.time.Duration.ofMillis(250));
        l.stageCompleted(dev.medsam.core.StageListener.Stage.ENCODER, java.time.Duration.ofMillis(500));
        StringWriter seconds = new StringWriter();
        t.printSeconds(new PrintWriter(seconds, true));
        assertEquals(java.util.List.of("encode: 2.00 s", "other: 0.25 s"), seconds.toString().lines().toList());
    }

    @Test
    void stageTimingsAddUpRepeatedStagesAndPrintInOrder() throws IOException {
        StageTimings t = new StageTimings();
        t.lap("load");
        assertEquals("x", t.time("encode", () -> "x"));
        t.skip();
        t.lap("load");
        StringWriter seconds = new StringWriter();
        t.printSeconds(new PrintWriter(seconds, true));
        String[] lines = seconds.toString().split("\\R");
        assertEquals(2, lines.length, seconds.toString());
        assertTrue(lines[0].matches("load: \\d+\\.\\d\\d s"), lines[0]);
        assertTrue(lines[1].matches("encode: \\d+\\.\\d\\d s"), lines[1]);
        StringWriter table = new StringWriter();
        t.printTable(new PrintWriter(table, true));
        lines = table.toString().split("\\R");
        assertEquals(3, lines.length, table.toString());
        assertTrue(lines[0].matches(" {2}load {3} +\\d+\\.\\d ms"), lines[0]);
        assertTrue(lines[2].matches(" {2}total  +\\d+\\.\\d ms"), lines[2]);
    }

    @Test
    void aDeferredProgressBarWithoutATerminalPrintsPlainLinesAndNothingWhenQuiet() {
        StringWriter err = new StringWriter();
        try (Progress.Deferred bar = Progress.deferred(new PrintWriter(err, true), "x", Progress.Unit.ITEMS, false)) {
            bar.update(0, 3);
            bar.update(3, 3);
        }
        String[] lines = err.toString().split("\\R");
        assertEquals(2, lines.length, "tests run without a console: a plain line at the start and one at the end");
        assertTrue(lines[0].startsWith("x   0% 0/3, "), lines[0]);
        assertTrue(lines[1].startsWith("x 100% 3/3, "), lines[1]);
        StringWriter quiet = new StringWriter();
        try (Progress.Deferred bar = Progress.deferred(new PrintWriter(quiet, true), "x", Progress.Unit.ITEMS, true)) {
            bar.update(3, 3);
        }
        assertEquals("", quiet.toString());
    }
}
