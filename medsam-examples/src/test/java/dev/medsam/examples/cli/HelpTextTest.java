package dev.medsam.examples.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The help of every command as a user reads it at picocli's default width of 80 columns. The JDK's line breaking
 * (which picocli uses) may break after a '.', '/' or '~' inside a word, which splits file names, paths and URLs
 * over two lines ("benchmarks/README." / "md"); such text must be worded so that it does not happen.
 */
class HelpTextTest {

    private static List<String> commands() {
        List<String> names = new ArrayList<>(MedSamCommand.newCommandLine().getSubcommands().keySet());
        names.remove("help");
        return names;
    }

    @Test
    void noHelpLineBreaksInsideAPathAFileNameOrAnAddress() {
        List<String> problems = new ArrayList<>();
        List<String> helps = new ArrayList<>(); // the root help lists commands on long lines, unwrapped
        for (String name : commands()) {
            CliRun r = CliRun.of(name, "--help");
            assertEquals(0, r.exitCode(), name + ": " + r);
            helps.add(r.out());
        }
        for (String help : helps) {
            String[] lines = help.split("\\R");
            for (int i = 0; i + 1 < lines.length; i++) {
                String line = lines[i].stripTrailing();
                String next = lines[i + 1].strip();
                if (line.isEmpty() || next.isEmpty()) {
                    continue;
                }
                char last = line.charAt(line.length() - 1);
                char first = next.charAt(0);
                if ("./~".indexOf(last) >= 0 && (Character.isLowerCase(first) || Character.isDigit(first))) {
                    problems.add(lines[0] + ": '" + line.strip() + "' | '" + next + "'");
                }
            }
        }
        assertTrue(problems.isEmpty(), "help lines broken inside a word:\n" + String.join("\n", problems));
    }

    @Test
    void windowPresetsAreListedInTheSameOrderAsTheHelp() {
        CliRun r = CliRun.of("segment", "-c", "x.pth", "-i", "y.png", "--box", "1,2,3,4", "--out", "o.png",
                "--window", "nope");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("[soft-tissue, lung, brain, mediastinum, bone]"), r.err());
        assertTrue(CliRun.of("segment", "--help").out().replaceAll("\\s+", " ")
                .contains("soft-tissue, lung, brain, mediastinum, bone"));
    }
}
