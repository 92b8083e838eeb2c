package dev.medsam.io.dicom.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The elements of one data set (the file's top level or one sequence item), in file order, with typed accessors.
 * Accessors name the tag and the file when a value cannot be read as asked.
 */
public final class Attributes {

    /** VRs whose text uses the Specific Character Set (UN too: in implicit VR files most unknown tags are text). */
    private static final Set<String> CHARSET_VRS = Set.of("SH", "LO", "ST", "LT", "UT", "PN", "UC", "UN");
    /** VRs whose value is one text, never split at backslashes. */
    private static final Set<String> SINGLE_VALUED_TEXT = Set.of("ST", "LT", "UT", "UR");

    private final Map<Integer, Element> elements;
    private final Charset charset;
    private final String source;

    Attributes(Map<Integer, Element> elements, Charset charset, String source) {
        this.elements = Collections.unmodifiableMap(new LinkedHashMap<>(elements));
        this.charset = charset;
        this.source = source;
    }

    /** The file (for messages). */
    public String source() {
        return source;
    }

    public Charset charset() {
        return charset;
    }

    /** Tags present, in file order. */
    public Set<Integer> tags() {
        return elements.keySet();
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    Optional<Element> element(int tag) {
        return Optional.ofNullable(elements.get(tag));
    }

    /** The VR as read or looked up. */
    public Optional<String> vr(int tag) {
        return element(tag).map(Element::vr);
    }

    /** Byte offset of the element's tag in the (inflated) stream, for messages. */
    public long offset(int tag) {
        Element e = elements.get(tag);
        return e == null ? -1 : e.offset();
    }

    /** The value bytes as stored (empty for sequences). */
    public Optional<byte[]> bytes(int tag) {
        return element(tag).map(e -> e.value().clone());
    }

    /** The whole value as text, padding trimmed; binary numbers are joined with backslashes. Empty if absent or empty. */
    public Optional<String> string(int tag) {
        Element e = elements.get(tag);
        if (e == null || e.isSequence()) {
            return Optional.empty();
        }
        String s;
        if (isBinaryNumber(e.vr())) {
            StringBuilder sb = new StringBuilder();
            double[] v = binaryNumbers(e);
            for (int i = 0; i < v.length; i++) {
                sb.append(i == 0 ? "" : "\\");
                sb.append(v[i] == Math.rint(v[i]) && Math.abs(v[i]) < 1e15 ? Long.toString((long) v[i]) : Double.toString(v[i]));
            }
            s = sb.toString();
        } else {
            Charset cs = CHARSET_VRS.contains(e.vr()) ? charset : StandardCharsets.ISO_8859_1;
            s = trimPadding(new String(e.value(), cs));
        }
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** The values of a multi-valued text element, each trimmed. Empty if absent. */
    public List<String> strings(int tag) {
        Optional<String> s = string(tag);
        if (s.isEmpty()) {
            return List.of();
        }
        Element e = elements.get(tag);
        if (SINGLE_VALUED_TEXT.contains(e.vr())) {
            return List.of(s.get());
        }
        List<String> out = new ArrayList<>();
        for (String part : s.get().split("\\\\", -1)) {
            out.add(part.trim());
        }
        return out;
    }

    /**
     * The numeric values (DS, IS, US, SS, UL, SL, FL, FD, ...). Empty values inside a DS/IS list are not allowed.
     *
     * @throws IOException naming the tag, its value and the file if a value is not a number
     */
    public double[] doubles(int tag) throws IOException {
        Element e = elements.get(tag);
        if (e == null || e.value().length == 0) {
            return new double[0];
        }
        if (e.isSequence()) {
            throw new IOException(source + ": " + Tags.format(tag) + " is a sequence, not a number");
        }
        if (isBinaryNumber(e.vr())) {
            return binaryNumbers(e);
        }
        List<String> parts = strings(tag);
        double[] out = new double[parts.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = Double.parseDouble(parts.get(i));
            } catch (NumberFormatException ex) {
                throw new IOException(source + ": " + Tags.format(tag) + " value " + (i + 1) + " '" + clip(parts.get(i))
                        + "' is not a number");
            }
            if (!Double.isFinite(out[i])) {
                throw new IOException(source + ": " + Tags.format(tag) + " value " + (i + 1) + " is " + out[i]);
            }
        }
        return out;
    }

    /** The first numeric value, if any. */
    public OptionalDouble firstDouble(int tag) throws IOException {
        double[] v = doubles(tag);
        return v.length == 0 ? OptionalDouble.empty() : OptionalDouble.of(v[0]);
    }

    /**
     * The first value as an integer.
     *
     * @throws IOException if it is not an integer that fits an int
     */
    public OptionalInt integer(int tag) throws IOException {
        OptionalDouble d = firstDouble(tag);
        if (d.isEmpty()) {
            return OptionalInt.empty();
        }
        double v = d.getAsDouble();
        if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IOException(source + ": " + Tags.format(tag) + " value " + v + " is not an integer");
        }
        return OptionalInt.of((int) v);
    }

    /**
     * The items of a sequence; empty if absent. A sequence stored as UN (explicit VR files that did not know the
     * tag) is parsed as implicit VR little endian, as PS3.5 section 6.2.2 prescribes.
     */
    public List<Attributes> sequence(int tag) throws IOException {
        Element e = elements.get(tag);
        if (e == null) {
            return List.of();
        }
        if (!e.items().isEmpty() || "SQ".equals(e.vr())) {
            return e.items();
        }
        if (("UN".equals(e.vr()) || "OB".equals(e.vr())) && e.value().length > 0) {
            return DicomParser.parseUnknownSequence(e, charset, source);
        }
        throw new IOException(source + ": " + Tags.format(tag) + " has VR " + e.vr() + ", not a sequence");
    }

    /** The first item of a sequence, if any. */
    public Optional<Attributes> firstItem(int tag) throws IOException {
        List<Attributes> items = sequence(tag);
        return items.isEmpty() ? Optional.empty() : Optional.of(items.get(0));
    }

    static boolean isBinaryNumber(String vr) {
        return switch (vr) {
            case "US", "SS", "UL", "SL", "FL", "FD", "UV", "SV", "OF", "OD", "OL", "OV" -> true;
            default -> false;
        };
    }

    private static double[] binaryNumbers(Element e) {
        ByteBuffer b = ByteBuffer.wrap(e.value()).order(e.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int size = switch (e.vr()) {
            case "US", "SS" -> 2;
            case "UL", "SL", "FL", "OF", "OL" -> 4;
            default -> 8;
        };
        double[] out = new double[e.value().length / size];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (e.vr()) {
                case "US" -> b.getShort() & 0xFFFF;
                case "SS" -> b.getShort();
                case "UL", "OL" -> b.getInt() & 0xFFFFFFFFL;
                case "SL" -> b.getInt();
                case "FL", "OF" -> b.getFloat();
                case "FD", "OD" -> b.getDouble();
                case "SV" -> (double) b.getLong();
                default -> {
                    long v = b.getLong();
                    yield v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
                }
            };
        }
        return out;
    }

    private static String trimPadding(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
            end--;
        }
        int start = 0;
        while (start < end && s.charAt(start) == ' ') {
            start++;
        }
        return s.substring(start, end);
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
