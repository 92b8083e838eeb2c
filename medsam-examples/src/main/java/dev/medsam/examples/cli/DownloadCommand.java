package dev.medsam.examples.cli;

import dev.medsam.examples.ModelCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code medsam download}: fetches a checkpoint into the model cache, resuming a partial download and checking
 * its SHA-256 when one is given. The file appears under its final name only when complete (and verified).
 *
 * <p>The command checks its options and the cache folder; {@link CheckpointDownload} does the transfer and its
 * checks (timeouts, size limits, resume, content, digest).
 */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Download a checkpoint into the model cache: $MEDSAM_HOME, by default",
            "  ~/.cache/medsam",
            "The MedSAM authors link medsam_vit_b.pth from the 'Get Started' section of",
            "  https://github.com/bowang-lab/MedSAM",
            "An interrupted download resumes where it stopped when run again."})
final class DownloadCommand implements Callable<Integer> {

    /** Default for --read-timeout: long enough for a slow mirror, short enough that a dead one is noticed. */
    static final int DEFAULT_READ_TIMEOUT_SECONDS = 60;

    /** Default for --max-size: above the largest SAM checkpoint (ViT-H, 2.6 GB). */
    static final String DEFAULT_MAX_SIZE = "4G";

    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*([KMGT]?)(i?B)?", Pattern.CASE_INSENSITIVE);

    @Spec
    CommandSpec spec;

    @Option(names = "--url", required = true, description = "HTTP(S) address of the checkpoint.")
    URI url;

    @Option(names = "--sha256", description = "Expected SHA-256 (64 hex digits); the download fails if it differs.")
    String sha256;

    @Option(names = "--name", description = "File name in the cache (default: the last part of the URL's path).")
    String name;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Give up connecting after this many seconds (default: ${DEFAULT-VALUE}).")
    int connectTimeout;

    @Option(names = "--read-timeout", paramLabel = "SECONDS", defaultValue = "" + DEFAULT_READ_TIMEOUT_SECONDS,
            description = "Give up when the server sends nothing for this many seconds (default: ${DEFAULT-VALUE}).")
    int readTimeout;

    @Option(names = "--max-size", paramLabel = "SIZE", defaultValue = DEFAULT_MAX_SIZE,
            description = "Refuse a download larger than this (bytes, or with K, M, G, T; default: ${DEFAULT-VALUE}).")
    String maxSize;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        String expected = sha256 == null ? null : sha256.trim().toLowerCase(Locale.ROOT);
        if (expected != null && !expected.matches("[0-9a-f]{64}")) {
            throw new ParameterException(cl, "--sha256 must be 64 hexadecimal digits, got '" + sha256 + "'");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new ParameterException(cl, "--url must be an http or https address, got '" + url + "'");
        }
        if (connectTimeout <= 0 || readTimeout <= 0) {
            throw new ParameterException(cl, "--connect-timeout and --read-timeout must be at least 1 second, got "
                    + connectTimeout + " and " + readTimeout);
        }
        long limit = parseSize(cl, maxSize);
        String fileName = name != null ? name : lastSegment(url);
        if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")
                || fileName.chars().anyMatch(Character::isISOControl)) {
            throw new ParameterException(cl, "cannot use '" + TerminalText.escape(fileName)
                    + "' as a file name; give one with --name");
        }
        Path dir = ModelCache.fromEnvironment().directory();
        prepareFolder(dir);
        Path target = dir.resolve(fileName);
        Path partial = dir.resolve(fileName + ".part");

        if (expected != null && Files.isRegularFile(target) && CheckpointBytes.sha256Of(target).equals(expected)) {
            report("already downloaded, SHA-256 matches: " + target);
            cl.getOut().println(target);
            cl.getOut().flush();
            return 0;
        }
        if (Files.exists(partial) && !Files.isRegularFile(partial)) {
            throw new IOException(partial + " is not a regular file; remove it and run the command again");
        }

        CheckpointDownload download = new CheckpointDownload(url, expected, connectTimeout, readTimeout, limit,
                cl.getErr(), quiet, this::report);
        long size = download.into(target, partial, fileName);
        report("saved " + size + " bytes from " + url.getHost() + " to " + target
                + (expected != null ? " (SHA-256 checked)" : " (no --sha256 given, so not verified)"));
        cl.getOut().println(target);
        cl.getOut().flush();
        return 0;
    }

    private void prepareFolder(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the model cache " + dir + " (" + (e instanceof AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage()))
                    + "); set MEDSAM_HOME to a writable folder", e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IOException("cannot write to the model cache " + dir + " ("
                    + (Files.isDirectory(dir) ? "permission denied" : "not a folder")
                    + "); set MEDSAM_HOME to a writable folder");
        }
    }

    private void report(String line) {
        if (!quiet && !GlobalOptions.quiet()) {
            spec.commandLine().getErr().println(line);
            spec.commandLine().getErr().flush();
        }
    }

    static long parseSize(CommandLine cl, String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new ParameterException(cl, "--max-size must be a number of bytes, optionally with K, M, G or T, got '"
                    + text + "'");
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        long value = Long.parseLong(m.group(1));
        if (value <= 0 || value > Long.MAX_VALUE >> shift) {
            throw new ParameterException(cl, "--max-size must be positive and below 8 EiB, got '" + text + "'");
        }
        return value << shift;
    }

    private static String lastSegment(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }
}
