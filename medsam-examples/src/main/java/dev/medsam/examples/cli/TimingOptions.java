package dev.medsam.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --timings} and {@code --warmup} of the commands that time the network (a picocli mixin). */
final class TimingOptions {

    @Option(names = "--timings", description = "Print the seconds each stage took (the stages are listed above).")
    boolean timings;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0",
            description = "Run the image encoder N extra times first, so that the encode time is a warm one.")
    int warmup;

    /** A negative warm-up count is a usage error. */
    void check(CommandLine cl) {
        CliValues.requireNonNegative(cl, "--warmup", warmup);
    }
}
