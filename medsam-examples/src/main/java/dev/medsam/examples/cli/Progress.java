package dev.medsam.examples.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on standard error. Silent unless the process has a terminal (so logs and pipes stay
 * clean), and silent with the subcommand's --quiet or the global {@code medsam --quiet}.
 */
final class Progress implements AutoCloseable {

    private static final int WIDTH = 30;

    /** What is counted. */
    enum Unit { BYTES, ITEMS }

    private final PrintWriter out;
    private final Unit unit;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final long started = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    private Progress(PrintWriter out, String label, long total, Unit unit, boolean enabled) {
        this.out = out;
        this.unit = unit;
        this.label = label;
        this.total = total;
        this.enabled = enabled;
    }

    /** A bar for {@code total} units (bytes, slices, cases); {@code total <= 0} means unknown. */
    static Progress start(PrintWriter err, String label, long total, Unit unit, boolean quiet) {
        return new Progress(err, label, total, unit, !quiet && !GlobalOptions.quiet() && System.console() != null);
    }

    /** Redraws at most ten times a second, and always at the end. */
    void update(long done) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        double seconds = (now - started) / 1e9;
        String line;
        if (total > 0) {
            double f = Math.min(1, (double) done / total);
            int filled = (int) Math.round(f * WIDTH);
            line = String.format(Locale.ROOT, "\r%s [%s%s] %3.0f%% %s/%s %.1f s", label, "#".repeat(filled),
                    " ".repeat(WIDTH - filled), 100 * f, human(done), human(total), seconds);
        } else {
            line = String.format(Locale.ROOT, "\r%s %s %.1f s", label, human(done), seconds);
        }
        out.print(line);
        out.flush();
        drawn = true;
    }

    private String human(long v) {
        if (unit == Unit.ITEMS) {
            return Long.toString(v);
        }
        if (v >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MB", v / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.0f kB", v / 1024.0);
    }

    @Override
    public void close() {
        if (drawn) {
            out.println();
            out.flush();
        }
    }
}
