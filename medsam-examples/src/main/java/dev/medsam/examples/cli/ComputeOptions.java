package dev.medsam.examples.cli;

import dev.medsam.core.SegmentationSession;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * {@code --threads} and {@code --precision} of the commands that run a model (a picocli mixin), and their one way
 * into the backend: on a {@link SegmentationSession.Builder}.
 */
final class ComputeOptions {

    /** The backend option {@code --precision} sets; the TensorFlow backend reads it. */
    static final String PRECISION_KEY = "precision";

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Threads per network operation (default: ${DEFAULT-VALUE}, the backend's choice).")
    int threads;

    @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
            description = "Arithmetic of the image encoder (default: ${DEFAULT-VALUE}, as the reference); bf16 is "
                    + "faster on CPUs with AVX-512 BF16 or AMX but approximate (measured in the README's Benchmarks section).")
    String precision;

    /** Checks both options; a negative thread count or an unknown precision is a usage error. */
    void check(CommandLine cl) {
        CliValues.requireNonNegative(cl, "--threads", threads);
        precision(cl);
    }

    /** {@code builder} with these threads and precision. */
    SegmentationSession.Builder applyTo(SegmentationSession.Builder builder, CommandLine cl) {
        check(cl);
        return builder.threads(threads).backendOption(PRECISION_KEY, precision(cl));
    }

    /** {@code --precision}, lower-cased: {@code fp32} or {@code bf16}; anything else is a usage error. */
    String precision(CommandLine cl) {
        String p = precision.trim().toLowerCase(Locale.ROOT);
        if (!p.equals("fp32") && !p.equals("bf16")) {
            throw new CommandLine.ParameterException(cl, "--precision must be fp32 or bf16, got '" + precision + "'");
        }
        return p;
    }
}
