package dev.medsam.examples.cli;

import picocli.CommandLine;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** Usage checks of output file options: the name's extension, a writable folder, no two options naming one file. */
final class OutputFiles {

    private OutputFiles() {
    }

    /**
     * Checks an output's name and folder (usage errors) and records it in {@code outputs} (absolute path to
     * "file (option)"); nothing happens when {@code file} is null (the option was not given).
     */
    static void add(CommandLine cl, Map<Path, String> outputs, String option, Path file, String... extensions) {
        if (file == null) {
            return;
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Arrays.stream(extensions).noneMatch(name::endsWith)) {
            throw new CommandLine.ParameterException(cl, option + " " + file + ": the name must end in "
                    + String.join(", ", extensions));
        }
        CliValues.requireWritableName(cl, option, file);
        Path key = file.toAbsolutePath().normalize();
        String previous = outputs.get(key);
        if (previous != null) {
            throw new CommandLine.ParameterException(cl, option + " " + file + " names the same file as " + previous);
        }
        outputs.put(key, file + " (" + option + ")");
    }
}
