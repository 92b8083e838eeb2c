package dev.medsam.examples.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The root command: help, version, exit codes and the global --quiet / --verbose. */
class MedSamCommandTest {

    private static final List<String> SUBCOMMANDS = List.of("help", "demo", "download", "metrics", "info", "inspect",
            "segment", "encode", "segment3d", "eval");

    @Test
    void helpListsEverySubcommandAndTheExitCodes() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.exitCode(), r.toString());
        for (String name : SUBCOMMANDS) {
            assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(name + " ")), name + " in\n" + r.out());
        }
        assertTrue(r.out().contains("Exit codes: 0 success, 1 failure while running"), r.out());
        assertTrue(r.out().contains("--quiet") && r.out().contains("--verbose"), r.out());
        for (String name : SUBCOMMANDS) {
            CliRun help = CliRun.of(name, "--help");
            if (!name.equals("help")) {
                assertEquals(0, help.exitCode(), name + ": " + help);
                assertTrue(help.out().startsWith("Usage: medsam " + name), help.out());
            }
        }
    }

    @Test
    void versionAndUsageErrors() {
        CliRun v = CliRun.of("--version");
        assertEquals(0, v.exitCode(), v.toString());
        assertTrue(v.out().startsWith("medsam "), v.out());
        assertEquals(2, CliRun.of().exitCode());
        assertEquals(2, CliRun.of("no-such-command").exitCode());
        assertEquals(2, CliRun.of("demo", "--no-such-option").exitCode());
        CliRun both = CliRun.of("--quiet", "--verbose", "info", "--checkpoint", "x.pth");
        assertEquals(2, both.exitCode(), both.toString());
        assertTrue(both.err().contains("--quiet and --verbose cannot be used together"), both.err());
    }

    @Test
    void verboseAddsTheStackTraceOfAFailure() {
        CliRun plain = CliRun.of("info", "--checkpoint", "missing.pth");
        assertEquals(1, plain.exitCode(), plain.toString());
        assertEquals(1, plain.err().strip().lines().count(), plain.err());
        CliRun verbose = CliRun.of("--verbose", "info", "--checkpoint", "missing.pth");
        assertEquals(1, verbose.exitCode(), verbose.toString());
        assertTrue(verbose.err().startsWith(plain.err().strip()), verbose.err());
        assertTrue(verbose.err().contains("\tat dev.medsam."), verbose.err());
        assertFalse(GlobalOptions.verbose(), "the setting ends with the command");
    }

    @Test
    void logLevelsFollowTheGlobalOptionsOneLinePerRecordAndAreRestored() {
        System.Logger log = System.getLogger("dev.medsam.examples.cli.Test");
        boolean infoBefore = log.isLoggable(System.Logger.Level.INFO);
        try (GlobalOptions ignored = GlobalOptions.apply(GlobalOptions.Level.QUIET)) {
            assertTrue(GlobalOptions.quiet());
            assertFalse(log.isLoggable(System.Logger.Level.INFO));
            assertTrue(log.isLoggable(System.Logger.Level.WARNING));
        }
        try (GlobalOptions ignored = GlobalOptions.apply(GlobalOptions.Level.VERBOSE)) {
            assertTrue(GlobalOptions.verbose());
            assertTrue(log.isLoggable(System.Logger.Level.DEBUG));
        }
        String printed = captureErr(() -> {
            try (GlobalOptions ignored = GlobalOptions.apply(GlobalOptions.Level.NORMAL)) {
                assertFalse(log.isLoggable(System.Logger.Level.DEBUG));
                log.log(System.Logger.Level.INFO, "loaded {0} on {1}", "x.pth", "tensorflow");
                log.log(System.Logger.Level.DEBUG, "not shown");
            }
        });
        assertEquals("[medsam INFO] loaded x.pth on tensorflow" + System.lineSeparator(), printed);
        assertFalse(GlobalOptions.quiet() || GlobalOptions.verbose());
        assertEquals(infoBefore, log.isLoggable(System.Logger.Level.INFO));
    }

    private static String captureErr(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
