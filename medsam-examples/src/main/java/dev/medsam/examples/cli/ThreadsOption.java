package dev.medsam.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --threads} of the commands that run a model (a picocli mixin). */
final class ThreadsOption {

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Threads per network operation (default: ${DEFAULT-VALUE}, the backend's choice).")
    int threads;

    /** The thread count, 0 for the backend's choice; a negative one is a usage error. */
    int value(CommandLine cl) {
        CliValues.requireNonNegative(cl, "--threads", threads);
        return threads;
    }
}
