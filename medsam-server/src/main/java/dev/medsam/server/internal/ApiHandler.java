package dev.medsam.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.medsam.core.BinaryMask;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.volume.ObjectPropagation;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.dicom.DicomSeries;
import dev.medsam.server.internal.ImageRoot.LoadedVolume;
import dev.medsam.server.internal.Requests.SliceRequest;
import dev.medsam.server.internal.SliceSegmenter.Encoded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every route of {@code medsam serve}: the page and its assets, and the JSON API under {@code /api/v1}. Checks
 * each request's Host header (DNS rebinding) and, for writes, its Origin and content type (cross-origin writes)
 * before anything else; errors are JSON {@code {"status": 400, "error": "..."}} with a message naming the field,
 * never a stack trace. Thread-safe (holds no per-request state).
 */
public final class ApiHandler implements HttpHandler {

    private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());
    private static final String WEB = "/dev/medsam/server/web/";
    private static final Map<String, String> ASSETS = Map.of(
            "/", "index.html", "/index.html", "index.html", "/static/app.js", "app.js",
            "/static/app.css", "app.css", "/api/v1/openapi.json", "openapi.json");

    private final ImageRoot root;
    private final SliceSegmenter segmenter;
    private final Jobs jobs;
    private final Set<String> allowedHosts;
    /** The most of a refused body read and dropped so the client can read the 413 (see discardBody). */
    private static final long DISCARD_LIMIT = 64L << 20;

    private final long maxBodyBytes;
    private final Map<String, String> health;
    private final Path scratch;
    private final DicomSegAnswers seg;

    /**
     * @param allowedHosts Host header values accepted ({@code host:port}, lower case)
     * @param health       the fields of the health answer besides status
     * @param scratch      a private folder for encoding responses with the library's writers
     * @param seg          how label maps become DICOM SEG answers
     */
    public ApiHandler(ImageRoot root, SliceSegmenter segmenter, Jobs jobs, Set<String> allowedHosts,
                      long maxBodyBytes, Map<String, String> health, Path scratch, DicomSegAnswers seg) {
        this.root = root;
        this.seg = seg;
        this.segmenter = segmenter;
        this.jobs = jobs;
        this.allowedHosts = Set.copyOf(allowedHosts);
        this.maxBodyBytes = maxBodyBytes;
        this.health = Map.copyOf(health);
        this.scratch = scratch;
    }

    @Override
    public void handle(HttpExchange ex) {
        try (ex) {
            try {
                secure(ex);
                route(ex);
            } catch (HttpError e) {
                error(ex, e.status(), root.withoutRoot(e.getMessage()));
            } catch (IllegalArgumentException e) {
                error(ex, 400, root.withoutRoot(e.getMessage()));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "request " + ex.getRequestMethod() + " " + ex.getRequestURI()
                        + " failed", e);
                error(ex, 500, "internal error (" + e.getClass().getSimpleName() + "): "
                        + root.withoutRoot(e.getMessage()));
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "answering " + ex.getRequestURI() + " failed: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ security

    private void secure(HttpExchange ex) {
        String host = Optional.ofNullable(ex.getRequestHeaders().getFirst("Host")).orElse("").toLowerCase(Locale.ROOT);
        if (!allowedHosts.contains(host)) {
            throw new HttpError(403, "Host '" + ImageRoot.printable(host) + "' is not this server's name (requests "
                    + "must address " + String.join(" or ", new java.util.TreeSet<>(allowedHosts)) + "; this blocks "
                    + "DNS rebinding)");
        }
        String method = ex.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return;
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null && !allowedHosts.contains(stripScheme(origin))) {
            throw new HttpError(403, "cross-origin " + method + " from '" + ImageRoot.printable(origin)
                    + "' refused");
        }
        String site = ex.getRequestHeaders().getFirst("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new HttpError(403, "cross-site " + method + " refused (Sec-Fetch-Site: " + site + ")");
        }
        if (method.equals("POST")) {
            // A form or no-cors fetch from another site cannot send application/json without a CORS preflight,
            // which this server never grants.
            String type = Optional.ofNullable(ex.getRequestHeaders().getFirst("Content-Type")).orElse("");
            if (!type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                throw new HttpError(415, "Content-Type must be application/json, got '" + ImageRoot.printable(type)
                        + "'");
            }
        }
    }

    private static String stripScheme(String origin) {
        String o = origin.toLowerCase(Locale.ROOT);
        return o.startsWith("http://") ? o.substring(7) : "\u0000" + o; // only plain http origins are ours
    }

    // ------------------------------------------------------------------------------------------------ routes

    private void route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String p = ex.getRequestURI().getRawPath();
        Map<String, String> q = query(ex.getRequestURI());
        if (ASSETS.containsKey(p)) {
            requireMethod(ex, "GET");
            asset(ex, ASSETS.get(p));
            return;
        }
        switch (p) {
            case "/api/v1/health" -> {
                requireMethod(ex, "GET");
                ObjectNode o = Requests.JSON.createObjectNode().put("status", "ok");
                health.forEach(o::put);
                json(ex, 200, o);
            }
            case "/api/v1/images" -> {
                requireMethod(ex, "GET");
                images(ex);
            }
            case "/api/v1/info" -> {
                requireMethod(ex, "GET");
                info(ex, required(q, "path"));
            }
            case "/api/v1/slice" -> {
                requireMethod(ex, "GET");
                slice(ex, q);
            }
            case "/api/v1/encode" -> {
                requireMethod(ex, "POST");
                encode(ex);
            }
            case "/api/v1/segment" -> {
                requireMethod(ex, "POST");
                segment(ex);
            }
            case "/api/v1/propagate" -> {
                requireMethod(ex, "POST");
                Jobs.Job j = jobs.submit(Requests.propagate(body(ex)));
                ex.getResponseHeaders().set("Location", "/api/v1/jobs/" + j.id());
                json(ex, 202, jobJson(j));
            }
            default -> {
                if (p.startsWith("/api/v1/jobs/")) {
                    job(ex, p.substring("/api/v1/jobs/".length()), q);
                } else {
                    throw new HttpError(404, "no such route: " + method + " " + ImageRoot.printable(p));
                }
            }
        }
    }

    private static void requireMethod(HttpExchange ex, String method) {
        if (!ex.getRequestMethod().equals(method) && !(method.equals("GET") && ex.getRequestMethod().equals("HEAD"))) {
            ex.getResponseHeaders().set("Allow", method);
            throw new HttpError(405, ex.getRequestMethod() + " is not allowed on " + ex.getRequestURI().getRawPath()
                    + "; use " + method);
        }
    }

    private void images(HttpExchange ex) throws IOException {
        ImageRoot.Listing l = root.list();
        ObjectNode o = Requests.JSON.createObjectNode();
        ArrayNode a = o.putArray("images");
        for (ImageRoot.Entry e : l.entries()) {
            ObjectNode n = a.addObject().put("path", e.path()).put("kind", e.kind());
            if (e.error().isEmpty()) {
                n.put("format", e.format());
                ArrayNode d = n.putArray("dims");
                for (int x : e.dims()) {
                    d.add(x);
                }
                n.put("slices", e.slices()).put("modality", e.modality());
            } else {
                n.put("error", e.error());
            }
        }
        o.put("truncated", l.truncated());
        json(ex, 200, o);
    }

    private void info(HttpExchange ex, String path) throws IOException {
        LoadedVolume v = root.load(path);
        MedicalImage img = v.image();
        ObjectNode o = Requests.JSON.createObjectNode().put("path", v.path())
                .put("format", v.format().name().toLowerCase(Locale.ROOT))
                .put("width", img.width()).put("height", img.height()).put("slices", v.slices())
                .put("components", img.components()).put("modality", img.modality().orElse(""))
                .put("defaultWindow", SliceSegmenter.presetFor(v, Optional.empty()).name());
        json(ex, 200, o);
    }

    /** The 8-bit view of a slice (what the model sees with that window), as PNG. */
    private void slice(HttpExchange ex, Map<String, String> q) throws IOException {
        LoadedVolume v = root.load(required(q, "path"));
        Optional<Integer> k = q.containsKey("slice") ? Optional.of(intParam(q, "slice")) : Optional.empty();
        int s = SliceSegmenter.sliceOf(v, k);
        var preset = SliceSegmenter.presetFor(v, Optional.ofNullable(q.get("window")).map(Requests::window));
        MedicalImage plane = v.plane(root.eightBit(v, preset), s);
        ex.getResponseHeaders().set("X-MedSAM-Window", preset.name());
        bytes(ex, 200, "image/png", encodeImage(plane, ".png"));
    }

    private void encode(HttpExchange ex) throws IOException {
        SliceRequest r = Requests.slice(body(ex), false);
        RequestTimings timings = new RequestTimings();
        Encoded e = segmenter.encode(r.path(), r.slice(), r.window(), timings);
        ex.getResponseHeaders().set("Server-Timing", timings.header());
        ObjectNode o = Requests.JSON.createObjectNode().put("path", r.path()).put("slice", e.slice())
                .put("window", e.preset().name());
        ObjectNode t = o.putObject("timings");
        timings.millis().forEach(t::put);
        json(ex, 200, o);
    }

    private void segment(HttpExchange ex) throws IOException {
        SliceRequest r = Requests.slice(body(ex), true);
        boolean dicomSeg = r.format().equals(Requests.DICOM_SEG);
        // a SEG needs a DICOM source: refused before the model runs, as medsam segment --out x.dcm does
        Optional<DicomSeries> source = dicomSeg ? Optional.of(seg.source(root.load(r.path()))) : Optional.empty();
        RequestTimings timings = new RequestTimings();
        Encoded e = segmenter.encode(r.path(), r.slice(), r.window(), timings);
        List<BinaryMask> masks = segmenter.segment(e, r.objects(), timings);
        String ext = switch (r.format()) {
            case "npy" -> ".npy";
            case "nifti" -> ".nii.gz";
            case Requests.DICOM_SEG -> ".dcm";
            default -> ".png";
        };
        // the library's one label-map writer, as medsam segment --out uses it: labels 1..N, in PNG visible levels
        byte[] out = source.isPresent()
                ? encode(f -> seg.writeSlice(f, source.get(), e.slice(), MedicalImages.labelMap(masks, e.rawPlane()),
                        r.labels(), r.path()), ext)
                : encode(f -> MedicalImages.writeLabels(masks, e.rawPlane(), f), ext);
        timings.lap("write");
        Headers h = ex.getResponseHeaders();
        h.set("Server-Timing", timings.header());
        h.set("X-MedSAM-Window", e.preset().name());
        h.set("X-MedSAM-Pixels", String.join(",", masks.stream().map(m -> Long.toString(m.count())).toList()));
        h.set("Content-Disposition", "attachment; filename=\"mask" + ext + "\"");
        bytes(ex, 200, contentType(ext), out);
    }

    private void job(HttpExchange ex, String rest, Map<String, String> q) throws IOException {
        boolean result = rest.endsWith("/result");
        String id = result ? rest.substring(0, rest.length() - "/result".length()) : rest;
        if (ex.getRequestMethod().equals("DELETE") && !result) {
            jobs.cancel(id);
            ex.sendResponseHeaders(204, -1);
            return;
        }
        requireMethod(ex, "GET");
        Jobs.Job j = jobs.get(id);
        if (!result) {
            json(ex, 200, jobJson(j));
            return;
        }
        if (j.state() != Jobs.State.DONE) {
            throw new HttpError(409, "job " + id + " is " + j.state().name().toLowerCase(Locale.ROOT)
                    + (j.error().isEmpty() ? "" : " (" + root.withoutRoot(j.error()) + ")") + "; its result is not there");
        }
        String format = q.getOrDefault("format", "nifti");
        String ext = switch (format) {
            case "nifti" -> ".nii.gz";
            case "npy" -> ".npy";
            case Requests.DICOM_SEG -> ".dcm";
            default -> throw HttpError.badRequest("format: must be nifti, npy or " + Requests.DICOM_SEG + ", got '"
                    + ImageRoot.printable(format) + "'");
        };
        List<String> labels = queryAll(ex.getRequestURI(), "label");
        if (!labels.isEmpty() && !ext.equals(".dcm")) {
            throw HttpError.badRequest("label: names the segments of a DICOM SEG result; add format="
                    + Requests.DICOM_SEG);
        }
        for (int i = 0; i < labels.size(); i++) {
            Requests.label(labels.get(i), "label " + (i + 1), labels.get(i));
        }
        MedicalImage volume = j.result().orElseThrow().labels();
        byte[] out;
        if (ext.equals(".dcm")) {
            // names from the query, else those the propagation was started with
            List<String> names = Requests.checkLabelCount(labels.isEmpty() ? j.labels() : labels, j.objects());
            DicomSeries source = seg.source(root.load(j.path()));
            out = encode(f -> seg.writeVolume(f, source, volume, names, j.path()), ext);
        } else {
            out = encodeImage(volume, ext);
        }
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"labels" + ext + "\"");
        bytes(ex, 200, contentType(ext), out);
    }

    private ObjectNode jobJson(Jobs.Job j) {
        ObjectNode o = Requests.JSON.createObjectNode().put("id", j.id()).put("path", j.path())
                .put("state", j.state().name().toLowerCase(Locale.ROOT)).put("done", j.done())
                .put("total", j.total());
        if (!j.error().isEmpty()) {
            o.put("error", root.withoutRoot(j.error()));
        }
        j.result().ifPresent(r -> {
            ArrayNode objs = o.putArray("objects");
            for (ObjectPropagation p : r.objects()) {
                objs.addObject().put("label", p.label()).put("voxels", p.pixels()).put("slices", p.steps().size());
            }
            o.put("result", "/api/v1/jobs/" + j.id() + "/result");
        });
        return o;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Writes {@code image} with the library's writer (the format from the extension) and returns the bytes. */
    private byte[] encodeImage(MedicalImage image, String ext) throws IOException {
        return encode(f -> MedicalImages.write(image, f), ext);
    }

    /** Runs {@code writer} on a scratch file with extension {@code ext} and returns the bytes it wrote. */
    private byte[] encode(dev.medsam.io.files.AtomicFiles.IOConsumer<Path> writer, String ext) throws IOException {
        Path tmp = Files.createTempFile(scratch, "response-", ext);
        try {
            writer.accept(tmp);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String contentType(String ext) {
        return switch (ext) {
            case ".png" -> "image/png";
            case ".nii.gz" -> "application/gzip";
            case ".dcm" -> "application/dicom";
            default -> "application/octet-stream";
        };
    }

    private byte[] body(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > maxBodyBytes) {
                    discardBody(ex.getRequestBody());
                    throw new HttpError(413, "the request body (" + length.trim() + " bytes) is over the limit of "
                            + maxBodyBytes + " bytes");
                }
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("Content-Length '" + ImageRoot.printable(length) + "' is not a number");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (b.length > maxBodyBytes) {
                discardBody(in);
                throw new HttpError(413, "the request body is over the limit of " + maxBodyBytes + " bytes");
            }
            return b;
        }
    }

    /**
     * Reads and drops what is left of a refused request body, up to {@link #DISCARD_LIMIT}. Without this the
     * connection closes with unread bytes in the socket, the kernel answers with a reset, and the client sees
     * a broken connection instead of the 413 and its message.
     */
    private static void discardBody(InputStream in) {
        try {
            long left = DISCARD_LIMIT;
            byte[] sink = new byte[64 * 1024];
            int n;
            while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException e) {
            // the client went away; the 413 is still attempted
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> m = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                m.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("query parameter '" + ImageRoot.printable(k) + "': bad %-escape");
            }
        }
        return m;
    }

    /** Every value of the query parameter {@code name}, in order (for parameters that may repeat). */
    private static List<String> queryAll(URI uri, String name) {
        List<String> out = new java.util.ArrayList<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (k.equals(name)) {
                out.add(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String required(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null) {
            throw HttpError.badRequest(name + ": required query parameter");
        }
        return v;
    }

    private static int intParam(Map<String, String> q, String name) {
        try {
            int v = Integer.parseInt(q.get(name));
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + ": must be a whole number 0 or more, got '"
                    + ImageRoot.printable(q.get(name)) + "'");
        }
    }

    private void asset(HttpExchange ex, String name) throws IOException {
        try (InputStream in = ApiHandler.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                throw new HttpError(404, "asset " + name + " is missing from the jar");
            }
            String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                    : name.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : name.endsWith(".css") ? "text/css; charset=utf-8" : "application/json";
            bytes(ex, 200, type, in.readAllBytes());
        }
    }

    private static void json(HttpExchange ex, int status, ObjectNode o) throws IOException {
        bytes(ex, status, "application/json", Requests.JSON.writeValueAsBytes(o));
    }

    private static void error(HttpExchange ex, int status, String message) {
        try {
            ObjectNode o = Requests.JSON.createObjectNode().put("status", status).put("error",
                    message == null ? "error" : message);
            bytes(ex, status, "application/json", Requests.JSON.writeValueAsBytes(o));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "sending the error failed: " + e);
        }
    }

    private static void bytes(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cache-Control", "no-store");
        h.set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; "
                + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
