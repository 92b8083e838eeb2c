package dev.medsam.examples.cli;

import dev.medsam.core.volume.PropagationOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --margin} of the commands that propagate masks through volumes (a picocli mixin). */
final class MarginOption {

    @Option(names = "--margin", paramLabel = "PX",
            description = "Pixels added around each mask's box for the next slice (default: 3 per 256 pixels of the "
                    + "slice's longest side, as the CVPR 2024 reference).")
    Double margin;

    /** Sets the margin on {@code b} when one was given; a value PropagationOptions refuses is a usage error. */
    PropagationOptions.Builder applyTo(PropagationOptions.Builder b, CommandLine cl) {
        if (margin != null) {
            try {
                b.margin(margin);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        }
        return b;
    }
}
