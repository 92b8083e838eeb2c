package dev.medsam.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * The {@code medsam} command line. Exit codes follow picocli: 0 success, 1 failure while running (bad file
 * content, model error), 2 usage error.
 *
 * <p>Global options go before the subcommand ({@code medsam --quiet segment3d ...}): {@code --quiet} turns off
 * progress bars and informational log lines, {@code --verbose} shows the library's debug log and the stack trace
 * of a failure.
 */
@Command(name = "medsam",
        mixinStandardHelpOptions = true,
        versionProvider = MedSamCommand.Version.class,
        description = "MedSAM segmentation for medical images, in Java.",
        footer = {"", "Exit codes: 0 success, 1 failure while running (unreadable or bad file, model error), 2 usage error.",
            "Global options go before the subcommand: medsam --quiet segment3d ...",
            "Start with: medsam demo"},
        subcommands = {
            CommandLine.HelpCommand.class,
            DemoCommand.class,
            DownloadCommand.class,
            MetricsCommand.class,
            InfoCommand.class,
            InspectCommand.class,
            SegmentCommand.class,
            EncodeCommand.class,
            Segment3dCommand.class,
            EvalCommand.class,
            ServeCommand.class,
            BatchCommand.class,
        })
public final class MedSamCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-q", "--quiet"},
            description = "No progress bars, and only warnings and errors from the library's log.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"},
            description = "The library's debug log on standard error, and the stack trace of a failure.")
    boolean verbose;

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

    /** The configured command line, with the global options and the one-line error handler. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new MedSamCommand());
        cl.setExecutionExceptionHandler(MedSamCommand::handleFailure);
        cl.setParameterExceptionHandler(MedSamCommand::handleUsageError);
        cl.setExecutionStrategy(MedSamCommand::runWithGlobalOptions);
        return cl;
    }

    /** Applies --quiet / --verbose for the duration of the subcommand, then runs it as picocli's RunLast does. */
    private static int runWithGlobalOptions(CommandLine.ParseResult parsed) {
        MedSamCommand root = parsed.commandSpec().commandLine().getCommand();
        if (root.quiet && root.verbose) {
            throw new CommandLine.ParameterException(parsed.commandSpec().commandLine(),
                    "--quiet and --verbose cannot be used together");
        }
        GlobalOptions.Level level = root.quiet ? GlobalOptions.Level.QUIET
                : root.verbose ? GlobalOptions.Level.VERBOSE : GlobalOptions.Level.NORMAL;
        try (GlobalOptions ignored = GlobalOptions.apply(level)) {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (CommandLine.ExecutionException e) {
                // handled here, while --verbose is in force, rather than by picocli after this method returns
                if (e.getCause() instanceof Exception cause) {
                    return handleFailure(cause, e.getCommandLine(), parsed);
                }
                if (e.getCause() instanceof OutOfMemoryError oom) {
                    return handleOutOfMemory(oom, e.getCommandLine());
                }
                throw e;
            } catch (OutOfMemoryError oom) {
                // picocli lets errors through unwrapped: name the subcommand that ran, not the root
                CommandLine.ParseResult ran = parsed;
                while (ran.hasSubcommand()) {
                    ran = ran.subcommand();
                }
                return handleOutOfMemory(oom, ran.commandSpec().commandLine());
            }
        }
    }

    /**
     * A failure while running: one line on standard error (the stack trace too with --verbose or MEDSAM_DEBUG set),
     * exit 1.
     */
    private static int handleFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        // messages quote names from files and servers: escape them before they reach a terminal
        String message = TerminalText.escapeKeepingLines(FailureMessages.describe(e));
        err.println("medsam " + cl.getCommandName() + ": " + message.replace(System.lineSeparator(), System.lineSeparator() + "  "));
        if (GlobalOptions.verbose() || System.getenv("MEDSAM_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    /**
     * A usage error: the one line that says what is wrong (with picocli's "did you mean" suggestions for a
     * mistyped option or command) and where to read more, not the whole help. Exit 2.
     */
    private static int handleUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName();
        err.println(name + ": " + TerminalText.escapeKeepingLines(String.valueOf(e.getMessage())));
        if (e instanceof CommandLine.UnmatchedArgumentException u) {
            java.util.List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) {
                err.println("did you mean: " + String.join(", ", suggestions) + "?");
            }
        }
        err.println("try '" + name + " --help' for more information");
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * The heap ran out despite the readers' checks (an input that needs more than its header said, or a model
     * that does not fit): one line that says what ran out and what to do, exit 1. The failed command's
     * objects are unreachable by now, so there is room to print.
     */
    private static int handleOutOfMemory(OutOfMemoryError e, CommandLine cl) {
        PrintWriter err = cl.getErr();
        long max = Runtime.getRuntime().maxMemory();
        String what = e.getMessage() == null ? "memory" : e.getMessage();
        err.println("medsam " + cl.getCommandName() + ": out of memory (" + what + "; the JVM may use "
                + String.format(java.util.Locale.ROOT, "%.1f GB", max / 1e9)
                + "): raise -Xmx or MEDSAM_JAVA_OPTS, or use a smaller input");
        if (GlobalOptions.verbose() || System.getenv("MEDSAM_DEBUG") != null) {
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
