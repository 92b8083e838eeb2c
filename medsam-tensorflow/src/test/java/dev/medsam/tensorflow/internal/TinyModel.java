package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.CheckpointException;
import dev.medsam.core.checkpoint.Checkpoints;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;

/** The fixtures' tiny SAM and input, shared by the tests. */
final class TinyModel {

    private static StateDict weights;
    private static ImageTensor input;

    private TinyModel() {
    }

    static synchronized StateDict weights() {
        if (weights == null) {
            try {
                weights = Checkpoints.read(Fixtures.samParity("weights/tiny_sam.safetensors"));
            } catch (CheckpointException e) {
                throw new UncheckedIOException(e);
            }
        }
        return weights;
    }

    static SamArchitecture architecture() {
        return TinyParityTest.TINY;
    }

    static synchronized ImageTensor input() {
        if (input == null) {
            FixtureArray a = FixtureArray.read(Fixtures.samParity("tiny/input.npy"));
            input = new ImageTensor(FloatTensor.of(a.shape(), a.floats()));
        }
        return input;
    }

    /** A field of /proc/self/status in kB (VmRSS, VmHWM), or -1 where there is no /proc. */
    static long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
