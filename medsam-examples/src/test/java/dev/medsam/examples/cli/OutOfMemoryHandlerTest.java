package dev.medsam.examples.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line's answer when the heap runs out inside a command: one line naming what ran out and what to
 * do, exit 1, the stack trace only with {@code --verbose}. A real exhaustion of the test JVM's heap would
 * disturb the other tests, so a command registered for the test throws the error the JVM would throw.
 */
class OutOfMemoryHandlerTest {

    @CommandLine.Command(name = "exhaust")
    static final class Exhaust implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = MedSamCommand.newCommandLine();
        cl.addSubcommand(new Exhaust());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void oneLineWithTheLimitAndTheRemedy() {
        String[] r = run("exhaust");
        assertEquals("1", r[0], r[2]);
        String[] lines = r[2].strip().split("\\R");
        assertEquals(1, lines.length, r[2]);
        assertTrue(lines[0].startsWith("medsam exhaust: out of memory (Java heap space; the JVM may use "), lines[0]);
        assertTrue(lines[0].matches(".*\\d+\\.\\d GB\\): raise -Xmx or MEDSAM_JAVA_OPTS, or use a smaller input"),
                lines[0]);
        assertEquals("", r[1]);
    }

    @Test
    void verboseAddsTheStackTrace() {
        String[] r = run("--verbose", "exhaust");
        assertEquals("1", r[0], r[2]);
        assertTrue(r[2].contains("java.lang.OutOfMemoryError: Java heap space"), r[2]);
        assertTrue(r[2].contains("OutOfMemoryHandlerTest$Exhaust.call"), r[2]);
        assertFalse(r[2].lines().findFirst().orElse("").contains("Exception"), r[2]);
    }
}
