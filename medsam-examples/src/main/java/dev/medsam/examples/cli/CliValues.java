package dev.medsam.examples.cli;

import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks and parsers for option values that several commands share. Every problem is a usage error (exit 2)
 * whose message starts with the option and the value given.
 */
final class CliValues {

    private CliValues() {
    }

    /**
     * {@code count} comma-separated finite numbers, e.g. a box {@code 95,255,190,350}; {@code expected} completes
     * the message when the count is wrong ("--box 1,2,3: expected X0,Y0,X1,Y1 such as ...").
     */
    static double[] numbers(CommandLine cl, String option, String text, int count, String expected) {
        String[] parts = text.split(",", -1);
        if (parts.length != count) {
            throw new CommandLine.ParameterException(cl, option + " " + text + ": expected " + expected);
        }
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            String s = parts[i].trim();
            try {
                v[i] = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(cl, option + " " + text + ": '" + s + "' is not a number");
            }
            if (!Double.isFinite(v[i])) {
                throw new CommandLine.ParameterException(cl, option + " " + text + ": '" + s
                        + "' is not a finite number");
            }
        }
        return v;
    }

    static void requireNonNegative(CommandLine cl, String option, int value) {
        if (value < 0) {
            throw new CommandLine.ParameterException(cl, option + " must be 0 or more, got " + value);
        }
    }

    /** An output file's folder must exist and the file must not be a folder. */
    static void requireWritableName(CommandLine cl, String option, Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new CommandLine.ParameterException(cl, option + " " + file + ": the folder " + parent
                    + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new CommandLine.ParameterException(cl, option + " " + file + " is a folder; give a file name");
        }
        // Checked now, before the model loads, so that the failure names the output and comes in a second.
        if (!Files.isWritable(parent)) {
            throw unwritable(file, option + ": the folder " + parent + " is not writable");
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw unwritable(file, option + ": the file exists and cannot be replaced");
        }
    }

    /**
     * {@code folder} (given as {@code option}) is a folder that exists and is writable, or can be created: its
     * nearest existing ancestor is a writable folder. A file in its place is a usage error; missing permission a
     * failure (exit 1).
     */
    static void requireWritableFolder(CommandLine cl, String option, Path folder) {
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new CommandLine.ParameterException(cl, option + " " + folder + " is a file, not a folder");
        }
        Path existing = folder.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new CommandLine.ParameterException(cl, option + " " + folder + ": cannot be created under "
                    + existing);
        }
        if (!Files.isWritable(existing)) {
            throw unwritable(folder, option + ": " + (existing.equals(folder.toAbsolutePath())
                    ? "the folder is not writable" : "cannot create a folder in " + existing));
        }
    }

    private static java.io.UncheckedIOException unwritable(Path file, String reason) {
        return new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException(file.toString(), null, reason));
    }

    /** A shape as NumPy prints it: (1, 256, 64, 64), (5,). */
    static String shapeText(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
