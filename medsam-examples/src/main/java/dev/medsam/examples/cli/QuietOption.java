package dev.medsam.examples.cli;

import picocli.CommandLine.Option;

/** {@code -q/--quiet} of the commands that draw a progress bar (a picocli mixin). */
final class QuietOption {

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;
}
