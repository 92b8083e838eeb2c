package dev.medsam.spark.cli;

import dev.medsam.examples.cli.MedSamCommand;
import picocli.CommandLine;

/**
 * The {@code medsam} command line with {@code batch} added: bin/medsam starts this class (with Spark's jars on the
 * class path) only for {@code medsam batch}, so that the other commands start without loading Spark.
 */
public final class BatchMain {

    private BatchMain() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line (with {@code batch}) and returns the exit code. */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    /** {@link MedSamCommand#newCommandLine()} plus {@code batch}. */
    public static CommandLine newCommandLine() {
        CommandLine cl = MedSamCommand.newCommandLine();
        cl.addSubcommand("batch", new BatchCommand());
        return cl;
    }
}
