package dev.medsam.examples.cli;

import dev.medsam.core.testing.TinyCheckpoint;
import dev.medsam.examples.ParityFixtures;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medsam encode}: the encoder alone on the fixture's preprocessed input, with the tiny checkpoint. */
class EncodeCommandTest {

    @TempDir
    Path dir;

    private static String tiny() {
        return TinyCheckpoint.path().toString();
    }

    @Test
    void encodesTheFixtureInputAsTheReferenceDoesAndReportsTimings() throws IOException {
        Path out = dir.resolve("embedding.npy");
        CliRun r = CliRun.of("encode", "--checkpoint", tiny(), "--input",
                ParityFixtures.file("tiny/input.npy").toString(), "--save-embedding", out.toString(), "--timings",
                "--warmup", "1", "--threads", "2");
        assertEquals(0, r.exitCode(), r.toString());
        NpyArray e = Npy.read(out);
        assertArrayEquals(new int[] {1, 256, 64, 64}, e.shape());
        ParityFixtures.check("cli encode tiny/image_embeddings", ParityFixtures.floats("tiny/image_embeddings.npy"),
                e.toFloatArray(), ParityFixtures.EMBEDDING_TOL);
        for (String stage : List.of("load", "build", "encode")) {
            assertTrue(Pattern.compile("(?m)^" + stage + ": \\d+\\.\\d\\d s$").matcher(r.out()).find(),
                    stage + " timing missing: " + r.out());
        }
        assertTrue(r.out().contains("(1, 256, 64, 64)"), r.out());
    }

    /** --precision bf16 reaches the backend: the embedding moves away from the fp32 reference, but not far. */
    @Test
    void bf16PrecisionGivesAnApproximateEmbedding() throws IOException {
        Path out = dir.resolve("bf16.npy");
        CliRun r = CliRun.of("encode", "--checkpoint", tiny(), "--input",
                ParityFixtures.file("tiny/input.npy").toString(), "--save-embedding", out.toString(), "--threads", "2",
                "--precision", "bf16");
        assertEquals(0, r.exitCode(), r.toString());
        float[] expected = ParityFixtures.floats("tiny/image_embeddings.npy");
        float[] actual = Npy.read(out).toFloatArray();
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(err > 1e-4 && err < 0.1, "bf16 embedding max|err| " + err);
    }

    @Test
    void inputsOfAnotherShapeOrTypeAreRefusedByName() throws IOException {
        Path out = dir.resolve("embedding.npy");
        CliRun r = CliRun.of("encode", "--checkpoint", tiny(), "--input",
                ParityFixtures.file("tiny/image_orig_u8.npy").toString(), "--save-embedding", out.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("expected a float32 array of shape (1, 3, 1024, 1024)")
                && r.err().contains("got uint8 (512, 512, 3)"), r.err());

        Path small = dir.resolve("small.npy");
        Npy.write(small, NpyArray.ofFloats(new float[48], 1, 3, 4, 4));
        r = CliRun.of("encode", "--checkpoint", tiny(), "--input", small.toString(), "--save-embedding", out.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("got float32 (1, 3, 4, 4)"), r.err());

        Path doubles = dir.resolve("doubles.npy");
        Npy.write(doubles, NpyArray.ofDoubles(new double[4], 2, 2));
        r = CliRun.of("encode", "--checkpoint", tiny(), "--input", doubles.toString(), "--save-embedding",
                out.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("got float64 (2, 2)"), r.err());

        float[] values = Npy.read(ParityFixtures.file("tiny/input.npy")).toFloatArray();
        values[1024 * 1024 + 5 * 1024 + 7] = Float.NaN;
        Path nan = dir.resolve("nan.npy");
        Npy.write(nan, NpyArray.ofFloats(values, 1, 3, 1024, 1024));
        r = CliRun.of("encode", "--checkpoint", tiny(), "--input", nan.toString(), "--save-embedding", out.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("value NaN at (0, 1, 5, 7) is not finite"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void usageErrors() {
        String input = ParityFixtures.file("tiny/input.npy").toString();
        CliRun r = CliRun.of("encode", "--checkpoint", tiny(), "--input", input, "--save-embedding",
                dir.resolve("e.txt").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("must end in .npy"), r.err());
        r = CliRun.of("encode", "--checkpoint", tiny(), "--save-embedding", dir.resolve("e.npy").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--input"), r.err());
        r = CliRun.of("encode", "--checkpoint", tiny(), "--input", input, "--save-embedding",
                dir.resolve("e.npy").toString(), "--warmup", "-1");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--warmup must be 0 or more, got -1"), r.err());
        r = CliRun.of("encode", "--checkpoint", tiny(), "--input", input, "--save-embedding",
                dir.resolve("e.npy").toString(), "--device", "quantum");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--device must be cpu, gpu or auto, got 'quantum'"), r.err());
    }
}
