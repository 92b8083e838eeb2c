package dev.medsam.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code medsam} command line. Exit codes follow picocli: 0 success, 1 failure while running (bad file
 * content, model error), 2 usage error.
 */
@Command(name = "medsam",
        mixinStandardHelpOptions = true,
        versionProvider = MedSamCommand.Version.class,
        description = "MedSAM segmentation for medical images, in Java.",
        subcommands = {
            CommandLine.HelpCommand.class,
            DownloadCommand.class,
            MetricsCommand.class,
            InfoCommand.class,
            InspectCommand.class,
            SegmentCommand.class,
            EncodeCommand.class,
            Segment3dCommand.class,
            EvalCommand.class,
        })
public final class MedSamCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests and the launcher). */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    /** The configured command line, with the one-line error handler. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new MedSamCommand());
        cl.setExecutionExceptionHandler(MedSamCommand::handleFailure);
        return cl;
    }

    /** A failure while running: one line on standard error (the stack trace only with MEDSAM_DEBUG set), exit 1. */
    private static int handleFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        err.println("medsam " + cl.getCommandName() + ": " + message.replace(System.lineSeparator(), System.lineSeparator() + "  "));
        if (System.getenv("MEDSAM_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    /** Version from the jar manifest (or "development" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = MedSamCommand.class.getPackage().getImplementationVersion();
            return new String[] {"medsam " + (v == null ? "development build" : v),
                "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch")};
        }
    }
}
