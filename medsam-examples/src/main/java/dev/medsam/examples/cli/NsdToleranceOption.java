package dev.medsam.examples.cli;

import dev.medsam.examples.eval.ChallengeMetrics;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --tolerance-mm} of the commands that score segmentations with the normalised surface Dice (a picocli
 * mixin): {@code metrics}, {@code eval} and {@code batch}. A value {@link ChallengeMetrics#checkToleranceMm} refuses
 * is a usage error while the command line is parsed.
 */
final class NsdToleranceOption {

    @Spec(Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    /** The checked tolerance in mm (the challenge's until picocli applies the option's default or value). */
    double toleranceMm = ChallengeMetrics.TOLERANCE_MM;

    @Option(names = "--tolerance-mm", paramLabel = "MM", defaultValue = "2",
            description = "NSD tolerance in mm (default: ${DEFAULT-VALUE}, the challenge's; in pixels for 2D challenge "
                    + "cases, as the challenge scores them).")
    void toleranceMm(double mm) {
        try {
            toleranceMm = ChallengeMetrics.checkToleranceMm(mm);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), "--tolerance-mm: " + e.getMessage());
        }
    }
}
