package dev.medsam.examples.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress on a terminal and off it, with a clock the test moves. */
class ProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void withoutATerminalPlainLinesComeAtTheStartEveryTenSecondsAndAtTheEnd() {
        AtomicLong now = new AtomicLong();
        StringWriter text = new StringWriter();
        try (Progress p = new Progress(new PrintWriter(text, true), "eval", 4, Progress.Unit.ITEMS,
                Progress.Style.PLAIN, now::get)) {
            p.update(0, "case 1");
            now.addAndGet(2 * SECOND);
            p.update(0.5, "case 1, slice 5 of 10");       // too soon for another line
            now.addAndGet(9 * SECOND);
            p.update(1.5, "case 2, slice 5 of 10");
            now.addAndGet(1 * SECOND);
            p.update(4, "");
            p.update(4, "");                              // the end once only
        }
        String[] lines = text.toString().split("\\R");
        assertEquals(3, lines.length, text.toString());
        assertEquals("eval   0% 0/4 (case 1), 0.0 s elapsed", lines[0]);
        assertEquals("eval  38% 1.5/4 (case 2, slice 5 of 10), 11.0 s elapsed, about 18.3 s left", lines[1]);
        assertEquals("eval 100% 4/4, 12.0 s elapsed", lines[2]);
    }

    @Test
    void aPlainRunThatStopsEarlySaysWhereItStopped() {
        AtomicLong now = new AtomicLong();
        StringWriter text = new StringWriter();
        try (Progress p = new Progress(new PrintWriter(text, true), "segment3d", 10, Progress.Unit.ITEMS,
                Progress.Style.PLAIN, now::get)) {
            p.update(3, "");
            now.addAndGet(70 * SECOND);
            p.update(4, "");
        }
        String[] lines = text.toString().split("\\R");
        assertEquals("segment3d  40% 4/10, 1 min 10 s elapsed, about 1 min 45 s left, stopped", lines[lines.length - 1]);
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndLogLinesGoAboveIt() {
        AtomicLong now = new AtomicLong();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        PrintWriter writer = new PrintWriter(stream, true);
        try (Progress p = new Progress(writer, "slices", 10, Progress.Unit.ITEMS, Progress.Style.BAR, now::get)) {
            p.update(2, "");
            Progress.printAbove(stream, "[medsam INFO] hello" + System.lineSeparator());
            now.addAndGet(SECOND);
            p.update(10, "");
        }
        String s = bytes.toString(StandardCharsets.UTF_8);
        String bar2 = "slices [######                        ]  20% 2/10, 0.0 s elapsed";
        assertTrue(s.startsWith("\r" + bar2), s);
        // the bar's line is wiped, the log line printed, and the bar drawn again below it
        assertTrue(s.contains("\r" + " ".repeat(bar2.length()) + "\r[medsam INFO] hello" + System.lineSeparator() + bar2),
                s);
        assertTrue(s.endsWith("100% 10/10, 1.0 s elapsed" + System.lineSeparator()), s);
    }

    @Test
    void quietDrawsNothing() {
        StringWriter text = new StringWriter();
        try (Progress p = new Progress(new PrintWriter(text, true), "x", 3, Progress.Unit.ITEMS, Progress.Style.NONE,
                System::nanoTime)) {
            p.update(1);
            p.update(3);
        }
        assertEquals("", text.toString());
    }

    @Test
    void durationsReadAsAPersonWouldWriteThem() {
        assertEquals("4.2 s", Progress.duration(4.2));
        assertEquals("3 min 05 s", Progress.duration(185));
        assertEquals("1 h 02 min", Progress.duration(3725));
    }
}
