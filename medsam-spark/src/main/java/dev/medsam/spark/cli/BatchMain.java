package dev.medsam.spark.cli;

import dev.medsam.examples.cli.MedSamCommand;
import picocli.CommandLine;

/**
 * The {@code medsam} command line as the main class of medsam-spark's jar, for {@code spark-submit --class}: the
 * same commands as {@link MedSamCommand}, whose {@code batch} finds {@link SparkBatchRunner} on this class path.
 */
public final class BatchMain {

    private BatchMain() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code. */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    /** {@link MedSamCommand#newCommandLine()}. */
    public static CommandLine newCommandLine() {
        return MedSamCommand.newCommandLine();
    }
}
