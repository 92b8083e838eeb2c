package dev.medsam.examples.cli;

import dev.medsam.examples.ModelCache;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code -c/--checkpoint} of the commands that run a model (a picocli mixin), and where the checkpoint comes from
 * when it is not given: {@code $MEDSAM_CHECKPOINT}, else {@code medsam_vit_b.pth} in the {@link ModelCache}.
 */
final class CheckpointOption {

    @Option(names = {"-c", "--checkpoint"}, paramLabel = "FILE",
            description = "MedSAM checkpoint (.pth or .safetensors; plain SAM ones load too); default: "
                    + "$MEDSAM_CHECKPOINT, else medsam_vit_b.pth in the model cache (medsam download).")
    Path checkpoint;

    /** --checkpoint, else the model cache's default, else a usage error saying how to get one. */
    Path resolve(CommandLine cl) {
        if (checkpoint != null) {
            return checkpoint;
        }
        ModelCache cache = ModelCache.fromEnvironment();
        return cache.defaultCheckpoint().orElseThrow(() -> new CommandLine.ParameterException(cl,
                "no checkpoint: give --checkpoint FILE, set MEDSAM_CHECKPOINT, or run 'medsam download' to put "
                        + ModelCache.MEDSAM_CHECKPOINT + " in " + cache.directory()));
    }
}
