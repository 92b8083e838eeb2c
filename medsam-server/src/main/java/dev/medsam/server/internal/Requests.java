package dev.medsam.server.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.medsam.core.Box;
import dev.medsam.core.Point;
import dev.medsam.core.PointLabel;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.io.dicom.SegmentDescription;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads request bodies into checked values. Every error is a 400 whose message names the field (with its index,
 * e.g. {@code boxes[1][2]}) and what was wrong.
 */
public final class Requests {

    /** Most objects in one request: a uint8 label map holds labels 1..255. */
    public static final int MAX_OBJECTS = 255;
    /** Most points per object. */
    public static final int MAX_POINTS = 64;

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Requests() {
    }

    /** One object's prompt: a box, points, or both. */
    public record ObjectPrompt(Optional<Box> box, List<Point> points) {
        public ObjectPrompt {
            points = List.copyOf(points);
            if (box.isEmpty() && points.isEmpty()) {
                throw new IllegalArgumentException("an object needs a box or a point");
            }
        }
    }

    /** The {@code format} of a slice answer that is a DICOM SEG. */
    public static final String DICOM_SEG = "dicom-seg";

    /**
     * POST /segment and /encode. {@code labels} name objects 1, 2, ... in a DICOM SEG answer (at most one per
     * object; unnamed objects are "Segment N").
     */
    public record SliceRequest(String path, Optional<Integer> slice, List<ObjectPrompt> objects,
                               Optional<IntensityPreset> window, String format, List<String> labels) {
        public SliceRequest {
            objects = List.copyOf(objects);
            labels = List.copyOf(labels);
        }
    }

    /** POST /propagate: one box per object on the key slice, and the objects' names for a DICOM SEG result. */
    public record PropagateRequest(String path, int slice, List<Box> boxes, Optional<IntensityPreset> window,
                                   List<String> labels) {
        public PropagateRequest {
            boxes = List.copyOf(boxes);
            labels = List.copyOf(labels);
        }
    }

    static ObjectNode parseObject(byte[] body) {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw HttpError.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw HttpError.badRequest("the body cannot be read: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw HttpError.badRequest("the body must be a JSON object");
        }
        return (ObjectNode) n;
    }

    static void allowOnly(ObjectNode o, Set<String> fields) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw HttpError.badRequest("unknown field '" + ImageRoot.printable(f) + "'; expected some of "
                        + new java.util.TreeSet<>(fields));
            }
        }
    }

    static String path(ObjectNode o) {
        JsonNode p = o.get("path");
        if (p == null || p.isNull()) {
            throw HttpError.badRequest("path: required (a path relative to the served folder)");
        }
        if (!p.isTextual()) {
            throw HttpError.badRequest("path: must be a string, got " + p.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return p.asText();
    }

    static Optional<Integer> slice(ObjectNode o) {
        JsonNode s = o.get("slice");
        if (s == null || s.isNull()) {
            return Optional.empty();
        }
        if (!s.isIntegralNumber() || !s.canConvertToInt() || s.intValue() < 0) {
            throw HttpError.badRequest("slice: must be a whole number 0 or more, got " + s);
        }
        return Optional.of(s.intValue());
    }

    static Optional<IntensityPreset> window(ObjectNode o) {
        JsonNode w = o.get("window");
        if (w == null || w.isNull()) {
            return Optional.empty();
        }
        if (!w.isTextual()) {
            throw HttpError.badRequest("window: must be a string such as \"soft-tissue\" or \"40,400\", got " + w);
        }
        return Optional.of(window(w.asText()));
    }

    /** A window name or {@code level,width}; also {@code as-is} and {@code percentile} (the other presets). */
    public static IntensityPreset window(String text) {
        try {
            IntensityPreset p = IntensityPreset.parse(text);
            if (p instanceof IntensityPreset.CtWindow c && !(c.window().width() > 0)) {
                throw new IllegalArgumentException("the width must be above 0");
            }
            return p;
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("window '" + ImageRoot.printable(text) + "': " + e.getMessage());
        }
    }

    public static SliceRequest slice(byte[] body, boolean needsPrompts) {
        ObjectNode o = parseObject(body);
        allowOnly(o, Set.of("path", "slice", "boxes", "points", "objects", "window", "format", "labels"));
        String path = path(o);
        Optional<Integer> slice = slice(o);
        Optional<IntensityPreset> window = window(o);
        String format = "png";
        JsonNode f = o.get("format");
        if (f != null && !f.isNull()) {
            format = f.isTextual() ? f.asText().toLowerCase(Locale.ROOT) : "?";
            if (!Set.of("png", "npy", "nifti", DICOM_SEG).contains(format)) {
                throw HttpError.badRequest("format: must be \"png\", \"npy\", \"nifti\" or \"" + DICOM_SEG
                        + "\", got " + f);
            }
        }
        List<ObjectPrompt> objects = new ArrayList<>();
        JsonNode objs = o.get("objects");
        boolean flat = o.hasNonNull("boxes") || o.hasNonNull("points");
        if (objs != null && !objs.isNull()) {
            if (flat) {
                throw HttpError.badRequest("objects: give either objects or boxes/points, not both");
            }
            if (!objs.isArray()) {
                throw HttpError.badRequest("objects: must be an array of {\"box\": [...], \"points\": [...]}");
            }
            for (int i = 0; i < objs.size(); i++) {
                JsonNode ob = objs.get(i);
                String at = "objects[" + i + "]";
                if (!ob.isObject()) {
                    throw HttpError.badRequest(at + ": must be an object with \"box\" and/or \"points\"");
                }
                allowOnly((ObjectNode) ob, Set.of("box", "points"));
                Optional<Box> box = ob.hasNonNull("box") ? Optional.of(box(ob.get("box"), at + ".box"))
                        : Optional.empty();
                List<Point> points = ob.hasNonNull("points") ? points(ob.get("points"), at + ".points") : List.of();
                if (box.isEmpty() && points.isEmpty()) {
                    throw HttpError.badRequest(at + ": needs a box or at least one point");
                }
                objects.add(new ObjectPrompt(box, points));
            }
        } else {
            List<Point> points = o.hasNonNull("points") ? points(o.get("points"), "points") : List.of();
            JsonNode boxes = o.get("boxes");
            if (boxes != null && !boxes.isNull()) {
                if (!boxes.isArray()) {
                    throw HttpError.badRequest("boxes: must be an array of [x0, y0, x1, y1]");
                }
                for (int i = 0; i < boxes.size(); i++) {
                    objects.add(new ObjectPrompt(Optional.of(box(boxes.get(i), "boxes[" + i + "]")), points));
                }
            }
            if (objects.isEmpty() && !points.isEmpty()) {
                objects.add(new ObjectPrompt(Optional.empty(), points));
            }
        }
        if (needsPrompts && objects.isEmpty()) {
            throw HttpError.badRequest("boxes: give at least one box or point (or objects)");
        }
        if (objects.size() > MAX_OBJECTS) {
            throw new HttpError(413, "boxes: " + objects.size() + " objects; a label map holds at most "
                    + MAX_OBJECTS);
        }
        List<String> labels = labels(o, objects.size());
        if (!labels.isEmpty() && !format.equals(DICOM_SEG)) {
            throw HttpError.badRequest("labels: name the segments of a DICOM SEG answer; give \"format\": \""
                    + DICOM_SEG + "\" (or leave labels out)");
        }
        return new SliceRequest(path, slice, objects, window, format, labels);
    }

    public static PropagateRequest propagate(byte[] body) {
        ObjectNode o = parseObject(body);
        allowOnly(o, Set.of("path", "slice", "boxes", "window", "labels"));
        String path = path(o);
        int slice = slice(o).orElseThrow(() -> HttpError.badRequest("slice: required (the key slice of the boxes)"));
        JsonNode boxes = o.get("boxes");
        if (boxes == null || !boxes.isArray() || boxes.isEmpty()) {
            throw HttpError.badRequest("boxes: required, an array of at least one [x0, y0, x1, y1]");
        }
        if (boxes.size() > MAX_OBJECTS) {
            throw new HttpError(413, "boxes: " + boxes.size() + " objects; at most " + MAX_OBJECTS);
        }
        List<Box> list = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) {
            list.add(box(boxes.get(i), "boxes[" + i + "]"));
        }
        return new PropagateRequest(path, slice, list, window(o), labels(o, list.size()));
    }

    /**
     * The optional {@code labels} array: names of objects 1, 2, ... for DICOM SEG segments, each as
     * {@link SegmentDescription#of} takes it, at most one per object.
     */
    static List<String> labels(ObjectNode o, int objects) {
        JsonNode n = o.get("labels");
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw HttpError.badRequest("labels: must be an array of names such as [\"Liver\", \"Tumour\"], got "
                    + n.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            out.add(label(n.get(i).isTextual() ? n.get(i).asText() : null, "labels[" + i + "]", n.get(i)));
        }
        return checkLabelCount(out, objects);
    }

    /** A segment name, checked as {@link SegmentDescription#of} checks it; {@code text} is null for a non-string. */
    static String label(String text, String at, Object shown) {
        if (text == null) {
            throw HttpError.badRequest(at + ": must be a string, got " + shown);
        }
        try {
            SegmentDescription.of(text);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(at + ": " + e.getMessage());
        }
        return text;
    }

    static List<String> checkLabelCount(List<String> labels, int objects) {
        if (labels.size() > objects) {
            throw HttpError.badRequest("labels: " + labels.size() + " names for " + objects + " object(s)");
        }
        return labels;
    }

    static Box box(JsonNode n, String at) {
        double[] v = numbers(n, at, 4, "[x0, y0, x1, y1]");
        if (!(v[2] > v[0]) || !(v[3] > v[1])) {
            throw HttpError.badRequest(at + ": [" + num(v[0]) + ", " + num(v[1]) + ", " + num(v[2]) + ", "
                    + num(v[3]) + "] is empty or inverted; need x1 > x0 and y1 > y0");
        }
        return new Box(v[0], v[1], v[2], v[3]);
    }

    static List<Point> points(JsonNode n, String at) {
        if (!n.isArray()) {
            throw HttpError.badRequest(at + ": must be an array of [x, y, label]");
        }
        if (n.size() > MAX_POINTS) {
            throw new HttpError(413, at + ": " + n.size() + " points; at most " + MAX_POINTS + " per object");
        }
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String where = at + "[" + i + "]";
            double[] v = numbers(n.get(i), where, 3, "[x, y, label]");
            if (v[2] != 0 && v[2] != 1) {
                throw HttpError.badRequest(where + "[2]: the label must be 1 (object) or 0 (background), got "
                        + num(v[2]));
            }
            out.add(new Point(v[0], v[1], PointLabel.fromSamLabel((int) v[2])));
        }
        return out;
    }

    private static double[] numbers(JsonNode n, String at, int count, String shape) {
        if (n == null || !n.isArray() || n.size() != count) {
            throw HttpError.badRequest(at + ": expected " + count + " numbers " + shape + ", got "
                    + (n == null ? "nothing" : n.isArray() ? n.size() + " values" : n.toString()));
        }
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            JsonNode x = n.get(i);
            if (!x.isNumber() || !Double.isFinite(x.asDouble())) {
                throw HttpError.badRequest(at + "[" + i + "]: must be a finite number, got " + x);
            }
            v[i] = x.asDouble();
        }
        return v;
    }

    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
