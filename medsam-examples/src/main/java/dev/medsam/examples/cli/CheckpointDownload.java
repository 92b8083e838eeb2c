package dev.medsam.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One checkpoint download behind {@code medsam download}: the HTTP exchange, resuming a {@code .part} file, and
 * the checks that let the file appear under its final name only when complete (and verified).
 *
 * <p>Nothing from the server is trusted: each read waits at most the read timeout; the body may not exceed the
 * length the server declared (or the size limit when it declares none); a resumed body is appended only when the
 * 206's Content-Range starts at the byte asked for; a 416 counts as "complete" only when the partial file has the
 * server's length (and digest); and the first bytes must look like a checkpoint ({@link CheckpointBytes}), so
 * that an HTML page or error text is refused at once. Failures are {@link IOException}s whose message names the
 * host and says what to do. One use per instance, on one thread.
 */
final class CheckpointDownload {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int MAX_REDIRECTS = 5;

    private final URI url;
    private final String host;
    private final String expected;
    private final int connectTimeout;
    private final int readTimeout;
    private final long limit;
    private final PrintWriter err;
    private final boolean quiet;
    private final Consumer<String> notes;

    /**
     * @param expected       the SHA-256 the file must have (64 lower-case hex digits), or null for none
     * @param connectTimeout seconds to wait for a connection
     * @param readTimeout    seconds to wait for the server to send anything
     * @param limit          the most bytes accepted when the server announces no length
     * @param err            where the progress bar goes (unless {@code quiet})
     * @param notes          receives one line for each decision worth telling the user (a restart from byte 0)
     */
    CheckpointDownload(URI url, String expected, int connectTimeout, int readTimeout, long limit, PrintWriter err,
                       boolean quiet, Consumer<String> notes) {
        this.url = Objects.requireNonNull(url, "url");
        this.host = Objects.requireNonNull(url.getHost(), "url host");
        this.expected = expected;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.limit = limit;
        this.err = Objects.requireNonNull(err, "err");
        this.quiet = quiet;
        this.notes = Objects.requireNonNull(notes, "notes");
    }

    /**
     * Downloads into {@code partial} (resuming it when it holds the start of a checkpoint), checks the length and
     * the digest, and moves it to {@code target}. Returns the number of bytes saved.
     */
    long into(Path target, Path partial, String fileName) throws IOException {
        Transfer transfer = null;
        for (int attempt = 0; transfer == null; attempt++) {
            long have = Files.exists(partial) ? Files.size(partial) : 0;
            if (have > 0 && !CheckpointBytes.looksLikeCheckpoint(CheckpointBytes.head(partial))) {
                // a stale .part from before this check, or from another program: never resume onto it
                Files.delete(partial);
                have = 0;
            }
            transfer = request(have, partial, attempt);
        }
        if (transfer.body() != null) {
            receive(transfer, partial, fileName);
        }
        long size = Files.size(partial);
        if (transfer.total() >= 0 && size != transfer.total()) {
            throw new IOException("the server " + host + " closed the connection after " + size + " of "
                    + transfer.total() + " bytes of " + url + "; run the same command again to resume");
        }
        if (expected != null) {
            String actual = CheckpointBytes.sha256Of(partial);
            if (!actual.equals(expected)) {
                Files.delete(partial);
                throw new IOException("SHA-256 of the download from " + url + " is " + actual + ", expected " + expected
                        + "; the partial file was removed");
            }
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return size;
    }

    /** An answer that can be written: the body to append (null when the .part is already complete). */
    private record Transfer(InputStream body, HttpURLConnection connection, boolean append, long start, long total) {
    }

    /**
     * Sends one request for the bytes from {@code have} on. Returns null when the request should be repeated from
     * byte 0 (the .part was found stale and deleted).
     */
    private Transfer request(long have, Path partial, int attempt) throws IOException {
        if (attempt > 1) {
            throw new IOException("the server " + host + " does not answer range requests consistently; remove "
                    + partial + " and run the command again");
        }
        HttpURLConnection connection = open(have);
        int status = status(connection, host);
        if (status == 206 && have > 0) {
            String range = connection.getHeaderField("Content-Range");
            Matcher m = range == null ? null : CONTENT_RANGE.matcher(range.trim());
            if (m == null || !m.matches() || Long.parseLong(m.group(1)) != have) {
                connection.disconnect();
                notes.accept("the server " + host + " answered a resume from byte " + have + " with the range '"
                        + TerminalText.escape(String.valueOf(range)) + "'; starting again from the beginning");
                Files.delete(partial);
                return null;
            }
            long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            checkDeclared(total, connection);
            return new Transfer(connection.getInputStream(), connection, true, have, total);
        }
        if (status == 416 && have > 0) {
            // "Range not satisfiable": complete only if the .part has exactly the server's length (and digest)
            String range = connection.getHeaderField("Content-Range");
            connection.disconnect();
            long serverLength = range == null ? -1 : totalFromContentRange(range);
            boolean complete = serverLength == have
                    && (expected == null || CheckpointBytes.sha256Of(partial).equals(expected));
            if (!complete) {
                notes.accept("the server " + host + " has " + (serverLength < 0 ? "an unknown number of" : serverLength)
                        + " bytes, the partial file " + have + (serverLength == have ? " with another digest" : "")
                        + "; starting again from the beginning");
                Files.delete(partial);
                return null;
            }
            return new Transfer(null, connection, true, have, have);
        }
        if (status == 200) {
            long total = connection.getContentLengthLong();
            checkDeclared(total, connection);
            return new Transfer(connection.getInputStream(), connection, false, 0, total);
        }
        connection.disconnect();
        String advice = status == 404 || status == 410 ? "check the URL"
                : status == 401 || status == 403 ? "the server refuses access; the link may have expired"
                : status >= 500 ? "the server has a problem; try again later" : "check the URL";
        throw new IOException("download of " + url + " failed: HTTP " + status + " from " + host + "; " + advice);
    }

    private void checkDeclared(long total, HttpURLConnection connection) throws IOException {
        if (total > limit) {
            connection.disconnect();
            throw new IOException("the server " + host + " announces " + total + " bytes, more than --max-size "
                    + limit + "; raise --max-size if this is the file you want");
        }
    }

    /** Opens a connection (following up to {@value #MAX_REDIRECTS} redirects, also between http and https). */
    private HttpURLConnection open(long have) throws IOException {
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
    private int status(HttpURLConnection c, String server) throws IOException {
        try {
            return c.getResponseCode();
        } catch (IOException e) {
            throw networkFailure(e, server, -1);
        }
    }

    private IOException networkFailure(IOException e, String server, long received) {
        String after = received < 0 ? "" : " after " + received + " bytes";
        String resume = received < 0 ? "" : "; run the same command again to resume";
        if (e instanceof UnknownHostException) {
            return new IOException("unknown host " + server + ": check the URL, the network or the proxy settings", e);
        }
        if (e instanceof SocketTimeoutException) {
            return received < 0 && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("connect")
                    ? new IOException("cannot connect to " + server + " within " + connectTimeout
                            + " s (--connect-timeout): check the URL and the network", e)
                    : new IOException("the server " + server + " sent nothing for " + readTimeout + " s"
                            + after + " (--read-timeout)" + (received < 0 ? "; try again later or raise --read-timeout"
                            : resume), e);
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return new IOException("cannot connect to " + server + " (" + e.getMessage()
                    + "): check the URL and the network", e);
        }
        return new IOException("the connection to " + server + " failed" + after + " ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")" + resume, e);
    }

    private void receive(Transfer t, Path partial, String fileName) throws IOException {
        long ceiling = t.total() >= 0 ? t.total() : limit;
        byte[] buffer = new byte[1 << 16];
        long done = t.start();
        try (InputStream in = t.body();
             OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE,
                     t.append() ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
             Progress progress = Progress.start(err, "download " + fileName, t.total(), Progress.Unit.BYTES, quiet)) {
            boolean first = !t.append();
            for (int n; (n = read(in, buffer, done)) > 0; ) {
                if (first) {
                    // refuse a web page or error text before it is written as a checkpoint
                    n = fillHead(in, buffer, n, done);
                    if (!CheckpointBytes.looksLikeCheckpoint(Arrays.copyOf(buffer, n))) {
                        out.close();
                        Files.deleteIfExists(partial);
                        throw new IOException(CheckpointBytes.describeNonCheckpoint(host, t.connection(), buffer, n));
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

    private int read(InputStream in, byte[] buffer, long done) throws IOException {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw networkFailure(e, host, done);
        }
    }

    /** Reads on until {@code buffer} holds the bytes the content check needs (or the body ends). */
    private int fillHead(InputStream in, byte[] buffer, int n, long done) throws IOException {
        while (n < CheckpointBytes.HEAD) {
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
}
