package dev.medsam.benchmarks.support;

import dev.medsam.benchmarks.support.BenchmarkCheckpoints;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.testing.FormulaWeights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** A ViT-B-sized checkpoint file (the formula weights, 93.7M float32 values, about 375 MB) written for a benchmark. */
public final class VitbCheckpointFile {

    private VitbCheckpointFile() {
    }

    /**
     * Writes the ViT-B formula weights as {@code vit_b.pth} or {@code vit_b.safetensors} in {@code folder}.
     *
     * @param format {@code pth} or {@code safetensors}
     * @return the file written
     */
    public static Path write(Path folder, String format) throws IOException {
        switch (format.toLowerCase(Locale.ROOT)) {
            case "pth": {
                Path file = folder.resolve("vit_b.pth");
                BenchmarkCheckpoints.writePth(FormulaWeights.vitB(), file);
                return file;
            }
            case "safetensors": {
                Path file = folder.resolve("vit_b.safetensors");
                BenchmarkCheckpoints.writeSafetensors(FormulaWeights.vitB(), file);
                return file;
            }
            default:
                throw new IllegalArgumentException("checkpoint format '" + format + "': use pth or safetensors");
        }
    }

    /**
     * Reads {@code file} back and checks that it holds the formula weights: ViT-B, every key, and the values of
     * the first, the largest and the last tensor.
     *
     * @throws IllegalStateException if not
     */
    public static void check(Path file) throws IOException {
        SamCheckpoint loaded = SamCheckpoint.load(file);
        StateDict expected = FormulaWeights.vitB();
        if (!loaded.architecture().equals(SamArchitecture.VIT_B) || !loaded.weights().keys().equals(expected.keys())) {
            throw new IllegalStateException(file + " reads back as " + loaded + ", not the ViT-B formula weights");
        }
        for (String key : List.of("image_encoder.patch_embed.proj.weight", "image_encoder.blocks.11.mlp.lin1.weight",
                "prompt_encoder.pe_layer.positional_encoding_gaussian_matrix")) {
            if (!loaded.weights().get(key).values().equals(expected.get(key).values())) {
                throw new IllegalStateException(file + ": tensor " + key + " differs from the formula weights");
            }
        }
    }
}
