package dev.medsam.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the root command's --quiet / --verbose mean while a subcommand runs: whether progress bars are drawn, how much
 * of the library's System.Logger output (java.util.logging under the JDK's default binding, logger {@code dev.medsam})
 * reaches standard error, one line per record, and whether failures show their stack trace.
 *
 * <p>The setting is process-wide (the launcher runs one command per JVM); {@link #close()} restores the previous
 * one, so in-process runs (tests) do not leak into each other. Not meant for concurrent command runs.
 */
final class GlobalOptions implements AutoCloseable {

    /** How talkative the command line is. */
    enum Level { QUIET, NORMAL, VERBOSE }

    private static final String LOGGER = "dev.medsam";

    private static volatile Level current = Level.NORMAL;

    // Held strongly: java.util.logging keeps only weak references to loggers, so a configured one could be
    // collected (and its settings lost) while the command runs.
    private final Logger logger = Logger.getLogger(LOGGER);
    private final Level previous;
    private final java.util.logging.Level previousLevel;
    private final boolean previousUseParents;
    private final Handler handler;

    private GlobalOptions(Level level) {
        previous = current;
        previousLevel = logger.getLevel();
        previousUseParents = logger.getUseParentHandlers();
        handler = new OneLineHandler(level == Level.VERBOSE);
        switch (level) {
            case QUIET:
                logger.setLevel(java.util.logging.Level.WARNING);
                break;
            case VERBOSE:
                logger.setLevel(java.util.logging.Level.FINE); // System.Logger.Level.DEBUG
                break;
            default:
                logger.setLevel(java.util.logging.Level.INFO);
                break;
        }
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
        current = level;
    }

    /** Applies {@code level} until the returned object is closed. */
    static GlobalOptions apply(Level level) {
        return new GlobalOptions(level);
    }

    /** Whether --quiet is in force (no progress bars). */
    static boolean quiet() {
        return current == Level.QUIET;
    }

    /** Whether --verbose is in force (stack traces of failures). */
    static boolean verbose() {
        return current == Level.VERBOSE;
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
        logger.setUseParentHandlers(previousUseParents);
        current = previous;
    }

    /** "[medsam INFO] loaded ..." on standard error, read at each record (so a redirected System.err is honoured). */
    private static final class OneLineHandler extends Handler {
        OneLineHandler(boolean withStackTraces) {
            setLevel(java.util.logging.Level.ALL);
            setFormatter(new Formatter() {
                @Override
                public String format(LogRecord r) {
                    // "[medsam INFO]", not "medsam info:", which would read as an error of the info command
                    StringBuilder b = new StringBuilder("[medsam ").append(levelName(r.getLevel())).append("] ")
                            .append(TerminalText.escapeKeepingLines(formatMessage(r))); // names from files
                    if (r.getThrown() != null) {
                        if (withStackTraces) {
                            StringWriter trace = new StringWriter();
                            r.getThrown().printStackTrace(new PrintWriter(trace));
                            b.append(System.lineSeparator()).append(trace.toString().stripTrailing());
                        } else {
                            b.append(" (").append(TerminalText.escapeKeepingLines(String.valueOf(r.getThrown()))).append(')');
                        }
                    }
                    return b.append(System.lineSeparator()).toString();
                }
            });
        }

        private static String levelName(java.util.logging.Level level) {
            int v = level.intValue();
            if (v >= java.util.logging.Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (v >= java.util.logging.Level.WARNING.intValue()) {
                return "WARNING";
            }
            if (v >= java.util.logging.Level.INFO.intValue()) {
                return "INFO";
            }
            return v >= java.util.logging.Level.FINE.intValue() ? "DEBUG" : "TRACE";
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            Progress.printAbove(System.err, getFormatter().format(record));
        }

        @Override
        public void flush() {
            System.err.flush();
        }

        @Override
        public void close() {
            // System.err stays open
        }
    }
}
