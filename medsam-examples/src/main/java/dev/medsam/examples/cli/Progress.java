package dev.medsam.examples.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long command on standard error, with elapsed and remaining time.
 *
 * <ul>
 *   <li>On a terminal: one bar, redrawn in place at most ten times a second. Log lines printed while it shows
 *       ({@link #printAbove}) appear above it, and the bar is drawn again below them.</li>
 *   <li>Without a terminal (a pipe, a log file, CI): a plain line when the run starts, then one every
 *       {@value #PLAIN_INTERVAL_SECONDS} seconds, and one at the end, so that a log shows the run is alive.</li>
 *   <li>Nothing at all with the subcommand's --quiet or the global {@code medsam --quiet}.</li>
 * </ul>
 *
 * <p>Progress may be fractional ({@link #update(double, String)}): a case that is a third done counts as 0.33 of
 * a case, so the bar moves during long cases, not only when one ends.
 */
final class Progress implements AutoCloseable {

    private static final int WIDTH = 30;
    static final int PLAIN_INTERVAL_SECONDS = 10;

    /** The bar on screen now, if any; log lines are printed above it. */
    private static Progress shown;

    /** What is counted. */
    enum Unit { BYTES, ITEMS }

    /** How the progress is shown. */
    enum Style { BAR, PLAIN, NONE }

    private final PrintWriter out;
    private final Unit unit;
    private final String label;
    private final long total;
    private final Style style;
    private final LongSupplier clock;
    private final long started;
    private long lastDraw;
    private boolean drawnOnce;
    private boolean endDrawn;
    private String lastLine = "";
    private double lastDone;
    private String lastDetail = "";

    Progress(PrintWriter out, String label, long total, Unit unit, Style style, LongSupplier nanoClock) {
        this.out = out;
        this.unit = unit;
        this.label = label;
        this.total = total;
        this.style = style;
        this.clock = nanoClock;
        this.started = nanoClock.getAsLong();
    }

    /** A bar for {@code total} units (bytes, slices, cases); {@code total <= 0} means unknown. */
    static Progress start(PrintWriter err, String label, long total, Unit unit, boolean quiet) {
        Style style = quiet || GlobalOptions.quiet() ? Style.NONE
                : System.console() != null ? Style.BAR : Style.PLAIN;
        return new Progress(err, label, total, unit, style, System::nanoTime);
    }

    /**
     * A bar that starts with its first {@link Deferred#update(double, long, String) update}, for runs whose total
     * is known only once they report progress; closing it ends the bar if one was started.
     */
    static Deferred deferred(PrintWriter err, String label, Unit unit, boolean quiet) {
        return new Deferred(err, label, unit, quiet);
    }

    /** See {@link #deferred}. */
    static final class Deferred implements AutoCloseable {
        private final PrintWriter err;
        private final String label;
        private final Unit unit;
        private final boolean quiet;
        private Progress bar;

        private Deferred(PrintWriter err, String label, Unit unit, boolean quiet) {
            this.err = err;
            this.label = label;
            this.unit = unit;
            this.quiet = quiet;
        }

        /** {@code done} of {@code total} units; the total of the first call sizes the bar. */
        void update(long done, long total) {
            update(done, total, "");
        }

        /** {@code done} (fractional) of {@code total} units, with a short detail ("slice 3 of 40"). */
        void update(double done, long total, String detail) {
            if (bar == null) {
                bar = start(err, label, total, unit, quiet);
            }
            bar.update(done, detail);
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }

    /** {@code done} whole units. */
    void update(long done) {
        update(done, "");
    }

    /**
     * {@code done} units (may be fractional), with an optional detail shown after the counts. On a terminal the
     * bar is redrawn at most ten times a second and always at the end; without one, a line every
     * {@value #PLAIN_INTERVAL_SECONDS} seconds.
     */
    synchronized void update(double done, String detail) {
        lastDone = done;
        lastDetail = detail;
        if (style == Style.NONE) {
            return;
        }
        long now = clock.getAsLong();
        boolean end = total > 0 && done >= total;
        long interval = style == Style.BAR ? 100_000_000L : PLAIN_INTERVAL_SECONDS * 1_000_000_000L;
        if (end ? endDrawn : drawnOnce && now - lastDraw < interval) {
            return;
        }
        endDrawn = end;
        lastDraw = now;
        drawnOnce = true;
        String text = describe(done, detail, now);
        synchronized (Progress.class) {
            if (style == Style.BAR) {
                out.print("\r" + text + pad(lastLine.length() - text.length()));
                shown = this;
            } else {
                out.println(text);
            }
            out.flush();
        }
        lastLine = text;
    }

    /** The text of one progress line at time {@code now}. */
    String describe(double done, String detail, long now) {
        double seconds = (now - started) / 1e9;
        StringBuilder b = new StringBuilder(label);
        if (total > 0) {
            double f = Math.min(1, Math.max(0, done / total));
            if (style == Style.BAR) {
                int filled = (int) Math.round(f * WIDTH);
                b.append(" [").append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append(']');
            }
            b.append(String.format(Locale.ROOT, " %3.0f%% %s/%s", 100 * f, human(done), human(total)));
        } else {
            b.append(' ').append(human(done));
        }
        if (!detail.isEmpty()) {
            b.append(" (").append(detail).append(')');
        }
        b.append(", ").append(duration(seconds)).append(" elapsed");
        if (total > 0 && done > 0 && done < total && seconds >= 1) {
            b.append(", about ").append(duration(seconds * (total - done) / done)).append(" left");
        }
        return b.toString();
    }

    /**
     * Prints {@code line} (one log line, with its line break) to {@code err}; if a bar is on screen, above it: the
     * bar's line is cleared, the text printed, and the bar drawn again.
     */
    static void printAbove(java.io.PrintStream err, String line) {
        synchronized (Progress.class) {
            Progress bar = shown;
            if (bar != null && bar.style == Style.BAR) {
                bar.out.print("\r" + " ".repeat(bar.lastLine.length()) + "\r");
                bar.out.flush();
            }
            err.print(line);
            err.flush();
            if (bar != null && bar.style == Style.BAR) {
                bar.out.print(bar.lastLine);
                bar.out.flush();
            }
        }
    }

    private String human(double v) {
        if (unit == Unit.ITEMS) {
            return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
        }
        if (v >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MB", v / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.0f kB", v / 1024.0);
    }

    /** 4.2 s, 3 min 05 s, 1 h 02 min. */
    static String duration(double seconds) {
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        long s = Math.round(seconds);
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    private static String pad(int n) {
        return n > 0 ? " ".repeat(n) : "";
    }

    @Override
    public synchronized void close() {
        synchronized (Progress.class) {
            if (shown == this) {
                shown = null;
            }
        }
        if (!drawnOnce) {
            return;
        }
        if (style == Style.BAR) {
            out.println();
            out.flush();
        } else if (style == Style.PLAIN && !endDrawn) {
            // interrupted or failed: say where it stopped
            out.println(describe(lastDone, lastDetail, clock.getAsLong()) + ", stopped");
            out.flush();
        }
    }
}
