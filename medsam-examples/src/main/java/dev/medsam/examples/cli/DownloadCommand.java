package dev.medsam.examples.cli;

import dev.medsam.examples.ModelCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code medsam download}: fetches a checkpoint into the model cache, resuming a partial download and checking
 * its SHA-256 when one is given. The file appears under its final name only when complete (and verified).
 */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Download a checkpoint into the model cache: $MEDSAM_HOME, by default",
            "  ~/.cache/medsam",
            "The MedSAM authors link medsam_vit_b.pth from the 'Get Started' section of",
            "  https://github.com/bowang-lab/MedSAM",
            "An interrupted download resumes where it stopped when run again."})
final class DownloadCommand implements Callable<Integer> {

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

    @Override
    public Integer call() throws IOException, InterruptedException {
        String expected = sha256 == null ? null : sha256.trim().toLowerCase(Locale.ROOT);
        if (expected != null && !expected.matches("[0-9a-f]{64}")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--sha256 must be 64 hexadecimal digits, got '" + sha256 + "'");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--url must be an http or https address, got '" + url + "'");
        }
        String fileName = name != null ? name : lastSegment(url);
        if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "cannot use '" + fileName + "' as a file name; give one with --name");
        }
        Path dir = ModelCache.fromEnvironment().directory();
        Files.createDirectories(dir);
        Path target = dir.resolve(fileName);
        Path partial = dir.resolve(fileName + ".part");

        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET();
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        boolean append;
        long total;
        if (status == 206 && have > 0) {
            append = true;
            total = response.headers().firstValue("Content-Range").map(DownloadCommand::totalFromContentRange).orElse(-1L);
        } else if (status == 416 && have > 0) {
            // The partial file already holds everything the server has.
            response.body().close();
            append = true;
            total = have;
        } else if (status == 200) {
            append = false;
            have = 0;
            total = response.headers().firstValueAsLong("Content-Length").orElse(-1L);
        } else {
            response.body().close();
            throw new IOException("download of " + url + " failed: HTTP " + status);
        }
        if (status != 416) {
            try (InputStream in = response.body();
                 OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
                 Progress progress = Progress.start(spec.commandLine().getErr(), "download " + fileName, total,
                         Progress.Unit.BYTES, quiet)) {
                byte[] buffer = new byte[1 << 16];
                long done = have;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    done += n;
                    progress.update(done);
                }
            }
        }
        long size = Files.size(partial);
        if (total > 0 && size != total) {
            throw new IOException("download of " + url + " stopped at " + size + " of " + total
                    + " bytes; run the command again to resume");
        }
        if (expected != null) {
            String actual = sha256Of(partial);
            if (!actual.equals(expected)) {
                Files.delete(partial);
                throw new IOException("SHA-256 of the download from " + url + " is " + actual + ", expected " + expected
                        + "; the partial file was removed");
            }
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        spec.commandLine().getOut().println(target);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static String lastSegment(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }

    /** "bytes 100-199/200" -> 200; "*" totals are unknown. */
    static long totalFromContentRange(String value) {
        int slash = value.lastIndexOf('/');
        if (slash < 0) {
            return -1;
        }
        try {
            return Long.parseLong(value.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String sha256Of(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
