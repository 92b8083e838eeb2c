package dev.medsam.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * {@code --precision} of the commands that run a model (a picocli mixin): passed to the backend as its
 * {@code precision} option, which the TensorFlow backend reads.
 */
final class PrecisionOption {

    /** The backend option this sets. */
    static final String KEY = "precision";

    @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
            description = "Arithmetic of the image encoder (default: ${DEFAULT-VALUE}, as the reference); bf16 is "
                    + "faster on CPUs with AVX-512 BF16 or AMX but approximate (see benchmarks/README.md).")
    String precision;

    /** {@code fp32} or {@code bf16}; anything else is a usage error. */
    String value(CommandLine cl) {
        String p = precision.trim().toLowerCase(Locale.ROOT);
        if (!p.equals("fp32") && !p.equals("bf16")) {
            throw new CommandLine.ParameterException(cl, "--precision must be fp32 or bf16, got '" + precision + "'");
        }
        return p;
    }
}
