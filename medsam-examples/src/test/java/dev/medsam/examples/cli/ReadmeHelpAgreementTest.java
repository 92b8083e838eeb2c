package dev.medsam.examples.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's command-line reference and the commands' --help agree: every option a README section names for a
 * command exists in that command's help, every command has a section, and the README's example commands use
 * options that exist.
 */
class ReadmeHelpAgreementTest {

    private static final Pattern SECTION = Pattern.compile("(?m)^### `medsam ([a-z0-9]+)`$");
    private static final Pattern OPTION = Pattern.compile("`(--[a-z][a-z0-9-]*)");
    private static final Pattern EXAMPLE = Pattern.compile("(?m)^(?:medsam-examples/bin/)?medsam ([a-z0-9]+) (.*)$");

    private static String readme() throws IOException {
        String base = System.getProperty("basedir");
        Path module = Path.of(base == null ? System.getProperty("user.dir") : base).toAbsolutePath();
        return Files.readString(module.resolve("../README.md").normalize());
    }

    @Test
    void everyOptionTheReadmeNamesForACommandIsInItsHelp() throws IOException {
        String readme = readme();
        Matcher m = SECTION.matcher(readme);
        List<int[]> sections = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            sections.add(new int[] {m.start(), m.end()});
            names.add(m.group(1));
        }
        assertTrue(names.size() >= 8, "command sections found: " + names);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            int end = i + 1 < sections.size() ? sections.get(i + 1)[0] : readme.indexOf("\n## ", sections.get(i)[1]);
            String text = readme.substring(sections.get(i)[1], end < 0 ? readme.length() : end);
            CliRun help = CliRun.of(names.get(i), "--help");
            if (help.exitCode() != 0) {
                problems.add(names.get(i) + ": the README documents a command that does not exist");
                continue;
            }
            Matcher o = OPTION.matcher(text);
            while (o.find()) {
                String option = o.group(1);
                if (!help.out().contains(option)) {
                    problems.add("medsam " + names.get(i) + ": the README names " + option + ", --help does not");
                }
            }
        }
        for (String command : MedSamCommand.newCommandLine().getSubcommands().keySet()) {
            if (!command.equals("help") && !names.contains(command)) {
                problems.add("medsam " + command + " has no README section");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theReadmesExampleCommandsUseOptionsThatExist() throws IOException {
        List<String> problems = new ArrayList<>();
        Matcher m = EXAMPLE.matcher(readme());
        int examples = 0;
        java.util.Set<String> commands = MedSamCommand.newCommandLine().getSubcommands().keySet();
        while (m.find()) {
            if (!commands.contains(m.group(1))) {
                continue; // prose
            }
            CliRun help = CliRun.of(m.group(1), "--help");
            if (help.exitCode() != 0) {
                continue; // prose such as "medsam demo works from any directory"
            }
            examples++;
            Matcher o = Pattern.compile("(?<=\\s|^)(--[a-z][a-z0-9-]*)").matcher(m.group(2));
            while (o.find()) {
                if (!help.out().contains(o.group(1))) {
                    problems.add(m.group() + ": " + o.group(1) + " is not an option of medsam " + m.group(1));
                }
            }
            assertTrue(!m.group(2).contains("<") || m.group(2).contains("'<"),
                    "a README command must paste into a shell as it is: " + m.group());
        }
        assertTrue(examples >= 3, "README example commands found: " + examples);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
