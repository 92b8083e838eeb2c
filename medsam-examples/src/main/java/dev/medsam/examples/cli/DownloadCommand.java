package dev.medsam.examples.cli;

import dev.medsam.examples.ModelCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code medsam download}: fetches a checkpoint into the model cache, resuming a partial download and checking
 * its SHA-256 when one is given. The file appears under its final name only when complete (and verified).
 *
 * <p>Nothing from the server is trusted: each read waits at most {@code --read-timeout}; the body may not exceed
 * the length the server declared (or {@code --max-size} when it declares none); a resumed body is appended only
 * when the 206's Content-Range starts at the byte asked for; a 416 counts as "complete" only when the partial
 * file has the server's length (and digest); and the first bytes must look like a checkpoint (a zip-format
 * {@code .pth}, a legacy pickle or a safetensors file), so that an HTML page or error text is refused at once.
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
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int MAX_REDIRECTS = 5;

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

        if (expected != null && Files.isRegularFile(target) && sha256Of(target).equals(expected)) {
            report("already downloaded, SHA-256 matches: " + target);
            cl.getOut().println(target);
            cl.getOut().flush();
            return 0;
        }
        if (Files.exists(partial) && !Files.isRegularFile(partial)) {
            throw new IOException(partial + " is not a regular file; remove it and run the command again");
        }

        String host = url.getHost();
        Transfer transfer = null;
        for (int attempt = 0; transfer == null; attempt++) {
            long have = Files.exists(partial) ? Files.size(partial) : 0;
            if (have > 0 && !looksLikeCheckpoint(head(partial))) {
                // a stale .part from before this check, or from another program: never resume onto it
                Files.delete(partial);
                have = 0;
            }
            transfer = request(host, have, limit, partial, expected, attempt);
        }
        if (transfer.body() != null) {
            receive(transfer, partial, fileName, host, limit);
        }
        long size = Files.size(partial);
        if (transfer.total() >= 0 && size != transfer.total()) {
            throw new IOException("the server " + host + " closed the connection after " + size + " of "
                    + transfer.total() + " bytes of " + url + "; run the same command again to resume");
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
        report("saved " + size + " bytes from " + host + " to " + target
                + (expected != null ? " (SHA-256 checked)" : " (no --sha256 given, so not verified)"));
        cl.getOut().println(target);
        cl.getOut().flush();
        return 0;
    }

    /** An answer that can be written: the body to append (null when the .part is already complete). */
    private record Transfer(InputStream body, HttpURLConnection connection, boolean append, long start, long total) {
    }

    /**
     * Sends one request for the bytes from {@code have} on. Returns null when the request should be repeated from
     * byte 0 (the .part was found stale and deleted).
     */
    private Transfer request(String host, long have, long limit, Path partial, String expected, int attempt)
            throws IOException {
        if (attempt > 1) {
            throw new IOException("the server " + host + " does not answer range requests consistently; remove "
                    + partial + " and run the command again");
        }
        HttpURLConnection connection = open(host, have);
        int status = status(connection, host);
        if (status == 206 && have > 0) {
            String range = connection.getHeaderField("Content-Range");
            Matcher m = range == null ? null : CONTENT_RANGE.matcher(range.trim());
            if (m == null || !m.matches() || Long.parseLong(m.group(1)) != have) {
                connection.disconnect();
                log("the server " + host + " answered a resume from byte " + have + " with the range '"
                        + TerminalText.escape(String.valueOf(range)) + "'; starting again from the beginning");
                Files.delete(partial);
                return null;
            }
            long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            checkDeclared(host, total, limit, connection);
            return new Transfer(connection.getInputStream(), connection, true, have, total);
        }
        if (status == 416 && have > 0) {
            // "Range not satisfiable": complete only if the .part has exactly the server's length (and digest)
            String range = connection.getHeaderField("Content-Range");
            connection.disconnect();
            long serverLength = range == null ? -1 : totalFromContentRange(range);
            boolean complete = serverLength == have && (expected == null || sha256Of(partial).equals(expected));
            if (!complete) {
                log("the server " + host + " has " + (serverLength < 0 ? "an unknown number of" : serverLength)
                        + " bytes, the partial file " + have + (serverLength == have ? " with another digest" : "")
                        + "; starting again from the beginning");
                Files.delete(partial);
                return null;
            }
            return new Transfer(null, connection, true, have, have);
        }
        if (status == 200) {
            long total = connection.getContentLengthLong();
            checkDeclared(host, total, limit, connection);
            return new Transfer(connection.getInputStream(), connection, false, 0, total);
        }
        connection.disconnect();
        String advice = status == 404 || status == 410 ? "check the URL"
                : status == 401 || status == 403 ? "the server refuses access; the link may have expired"
                : status >= 500 ? "the server has a problem; try again later" : "check the URL";
        throw new IOException("download of " + url + " failed: HTTP " + status + " from " + host + "; " + advice);
    }

    private void checkDeclared(String host, long total, long limit, HttpURLConnection connection) throws IOException {
        if (total > limit) {
            connection.disconnect();
            throw new IOException("the server " + host + " announces " + total + " bytes, more than --max-size "
                    + limit + "; raise --max-size if this is the file you want");
        }
    }

    /** Opens a connection (following up to {@value #MAX_REDIRECTS} redirects, also between http and https). */
    private HttpURLConnection open(String host, long have) throws IOException {
        URI current = url;
        for (int hop = 0; ; hop++) {
            HttpURLConnection c;
            try {
                URL address = current.toURL();
                c = (HttpURLConnection) address.openConnection();
            } catch (IllegalArgumentException | java.net.MalformedURLException e) {
                throw new IOException("cannot use the address " + current + ": " + e.getMessage(), e);
            }
            c.setConnectTimeout(Math.multiplyExact(connectTimeout, 1000));
            c.setReadTimeout(Math.multiplyExact(readTimeout, 1000));
            c.setInstanceFollowRedirects(false);
            c.setRequestProperty("User-Agent", "medsam-java-download");
            // the bytes as stored, so that lengths, ranges and the digest refer to the file itself
            c.setRequestProperty("Accept-Encoding", "identity");
            if (have > 0) {
                c.setRequestProperty("Range", "bytes=" + have + "-");
            }
            int status = status(c, current.getHost());
            if (status / 100 != 3 || status == 304) {
                return c;
            }
            String location = c.getHeaderField("Location");
            c.disconnect();
            if (location == null || hop >= MAX_REDIRECTS) {
                throw new IOException("the server " + current.getHost() + " sent HTTP " + status
                        + (location == null ? " without a Location" : " after " + MAX_REDIRECTS + " redirects")
                        + "; check the URL");
            }
            URI next = current.resolve(location.trim());
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IOException("the server " + current.getHost() + " redirects to '"
                        + TerminalText.escape(location) + "', which is not an http or https address");
            }
            current = next;
        }
    }

    /** The response code, with network failures turned into messages that name the host and what to do. */
    private int status(HttpURLConnection c, String host) throws IOException {
        try {
            return c.getResponseCode();
        } catch (IOException e) {
            throw networkFailure(e, host, -1);
        }
    }

    private IOException networkFailure(IOException e, String host, long received) {
        String after = received < 0 ? "" : " after " + received + " bytes";
        String resume = received < 0 ? "" : "; run the same command again to resume";
        if (e instanceof UnknownHostException) {
            return new IOException("unknown host " + host + ": check the URL, the network or the proxy settings", e);
        }
        if (e instanceof SocketTimeoutException) {
            return received < 0 && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("connect")
                    ? new IOException("cannot connect to " + host + " within " + connectTimeout
                            + " s (--connect-timeout): check the URL and the network", e)
                    : new IOException("the server " + host + " sent nothing for " + readTimeout + " s"
                            + after + " (--read-timeout)" + (received < 0 ? "; try again later or raise --read-timeout"
                            : resume), e);
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return new IOException("cannot connect to " + host + " (" + e.getMessage()
                    + "): check the URL and the network", e);
        }
        return new IOException("the connection to " + host + " failed" + after + " ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")" + resume, e);
    }

    private void receive(Transfer t, Path partial, String fileName, String host, long limit) throws IOException {
        long ceiling = t.total() >= 0 ? t.total() : limit;
        byte[] buffer = new byte[1 << 16];
        long done = t.start();
        try (InputStream in = t.body();
             OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE,
                     t.append() ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
             Progress progress = Progress.start(spec.commandLine().getErr(), "download " + fileName, t.total(),
                     Progress.Unit.BYTES, quiet)) {
            boolean first = !t.append();
            for (int n; (n = read(in, buffer, host, done)) > 0; ) {
                if (first) {
                    // refuse a web page or error text before it is written as a checkpoint
                    n = fillHead(in, buffer, n, host, done);
                    if (!looksLikeCheckpoint(java.util.Arrays.copyOf(buffer, n))) {
                        out.close();
                        Files.deleteIfExists(partial);
                        throw new IOException(describeNonCheckpoint(host, t.connection(), buffer, n));
                    }
                    first = false;
                }
                if (done + n > ceiling) {
                    out.close();
                    if (!t.append()) {
                        Files.deleteIfExists(partial);
                    }
                    throw new IOException("the server " + host + " sent more than " + ceiling + " bytes"
                            + (t.total() >= 0 ? ", the length it announced" : " (--max-size; it announced no length)")
                            + "; the download was stopped" + (t.total() >= 0 ? "" : ". Raise --max-size if the file "
                            + "really is this large"));
                }
                out.write(buffer, 0, n);
                done += n;
                progress.update(done);
            }
        } catch (AccessDeniedException e) {
            throw new IOException("cannot write " + partial + ": permission denied; set MEDSAM_HOME to a writable "
                    + "folder", e);
        } finally {
            t.connection().disconnect();
        }
    }

    private int read(InputStream in, byte[] buffer, String host, long done) throws IOException {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw networkFailure(e, host, done);
        }
    }

    /** Reads on until {@code buffer} holds at least 16 bytes (or the body ends), for the content check. */
    private int fillHead(InputStream in, byte[] buffer, int n, String host, long done) throws IOException {
        while (n < 16) {
            int more;
            try {
                more = in.read(buffer, n, buffer.length - n);
            } catch (IOException e) {
                throw networkFailure(e, host, done + n);
            }
            if (more < 0) {
                break;
            }
            n += more;
        }
        return n;
    }

    /**
     * Whether a file starts as a checkpoint can: a zip archive (PyTorch's format since 1.6), a pickle protocol
     * 2-5 header (the legacy format), or a safetensors header (8-byte little-endian length, then '{').
     */
    static boolean looksLikeCheckpoint(byte[] head) {
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return true;
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            return true;
        }
        if (head.length >= 9 && head[8] == '{') {
            long length = 0;
            for (int i = 7; i >= 0; i--) {
                length = length << 8 | (head[i] & 0xff);
            }
            return length > 1 && length < (1L << 32);
        }
        return false;
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(16);
        }
    }

    /** What the server sent instead of a checkpoint, in words: its type, an HTML page's title, the first bytes. */
    static String describeNonCheckpoint(String host, HttpURLConnection c, byte[] buffer, int n) {
        String type = c.getContentType() == null ? "no content type" : "'" + TerminalText.escape(c.getContentType()) + "'";
        String text = new String(buffer, 0, Math.min(n, 4096), StandardCharsets.ISO_8859_1);
        String lower = text.toLowerCase(Locale.ROOT);
        String what;
        if (lower.contains("<html") || lower.contains("<!doctype html")) {
            Matcher m = Pattern.compile("<title[^>]*>([^<]{0,200})", Pattern.CASE_INSENSITIVE).matcher(text);
            what = "an HTML page" + (m.find() ? " titled '" + TerminalText.escape(m.group(1).strip()) + "'" : "");
        } else {
            String start = text.substring(0, Math.min(40, text.length()));
            what = "data that is not a checkpoint, starting '" + TerminalText.escape(start) + "'";
        }
        return "the server " + host + " sent " + what + " (" + type + "), not a checkpoint (.pth or "
                + ".safetensors); the URL may lead to a web page (a sign-in, a virus-scan warning or a "
                + "share page) rather than to the file itself";
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

    private void log(String line) {
        report(line);
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
