package dev.medsam.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --modality ct|mr} of the volume commands (a picocli mixin), read together with {@code --window}.
 * {@code medsam segment} declares its own, as it also takes {@code other}.
 */
final class ModalityOption {

    @Option(names = "--modality", paramLabel = "ct|mr",
            description = "ct: CT window (soft-tissue unless --window); mr: clip to the 0.5/99.5 percentiles of the "
                    + "volume's positive values. Default: see the description above.")
    String modality;

    /** Both options checked together; a bad value or a window with --modality mr is a usage error. */
    IntensityChoice choice(CommandLine cl, WindowOption window) {
        return IntensityChoice.parse(cl, window.window, modality, false);
    }
}
