package dev.medsam.examples.cli;

import picocli.CommandLine.Option;

/**
 * {@code --window} of the commands that bring images to 8 bits (a picocli mixin); {@link IntensityChoice} checks it
 * together with {@code --modality}. What it applies to (a slice, a whole volume, the cases that are not 8-bit)
 * each command's description says.
 */
final class WindowOption {

    @Option(names = "--window", paramLabel = "NAME|L,W",
            description = "CT window: soft-tissue, lung, brain, mediastinum, bone, or level,width in HU.")
    String window;
}
