package dev.medsam.examples.cli;

import dev.medsam.examples.eval.ChallengeMetrics;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --tolerance-mm} of the commands that score segmentations with the normalised surface Dice (a picocli
 * mixin): {@code metrics}, {@code eval} and {@code batch}. A value {@link ChallengeMetrics#checkToleranceMm} refuses
 * is a usage error while the command line is parsed.
 */
final class NsdToleranceOption {

    @Option(names = "--tolerance-mm", paramLabel = "MM", defaultValue = "2", converter = Millimetres.class,
            description = "NSD tolerance in mm (default: ${DEFAULT-VALUE}, the challenge's; in pixels for 2D challenge "
                    + "cases, as the challenge scores them).")
    double toleranceMm;

    /** A finite number, 0 or more; picocli names the option in front of the message. */
    static final class Millimetres implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            double mm;
            try {
                mm = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not a number");
            }
            try {
                return ChallengeMetrics.checkToleranceMm(mm);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
