package dev.medsam.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --axis} and {@code --time}: which array axis slices a volume and which time point of a 4D series (a mixin). */
final class VolumeIndexOptions {

    @Option(names = "--axis", paramLabel = "N", defaultValue = "2",
            description = "Array axis to slice across: 0, 1 or 2 (default: ${DEFAULT-VALUE}, the third axis).")
    int axis;

    @Option(names = "--time", paramLabel = "T", defaultValue = "0",
            description = "Time point of a 4D series (default: ${DEFAULT-VALUE}).")
    int time;

    /** An axis other than 0, 1, 2 or a negative time point is a usage error. */
    void check(CommandLine cl) {
        if (axis < 0 || axis > 2) {
            throw new CommandLine.ParameterException(cl, "--axis must be 0, 1 or 2, got " + axis);
        }
        CliValues.requireNonNegative(cl, "--time", time);
    }
}
