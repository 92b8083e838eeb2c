package dev.medsam.io.dicom.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A DICOM data set under construction, written as explicit VR little endian (1.2.840.10008.1.2.1): elements kept in
 * ascending tag order whatever order they were put in, text padded to even length (UI with NUL, the rest with a
 * space), sequences and items with defined lengths. Text is encoded as UTF-8, which equals the default repertoire for
 * ASCII; the caller declares Specific Character Set ISO_IR 192 when any text is not ASCII (see {@link #isAscii()}).
 *
 * <p>Not thread-safe; one writer builds one file.
 */
public final class DicomOutput {

    /** Explicit VR little endian. */
    public static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";

    /** VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 7.1.2). */
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR",
            "UT", "UV");
    /** The most bytes a 2-byte length can state, rounded down to even. */
    private static final int SHORT_MAX = 0xFFFE;

    private sealed interface Value permits Bytes, Items {
    }

    private record Bytes(String vr, byte[] value) implements Value {
    }

    private record Items(List<DicomOutput> items) implements Value {
    }

    private final Map<Integer, Value> elements = new TreeMap<>(Integer::compareUnsigned);

    /** Text (any text VR); {@code null} is not accepted, "" writes an empty (type 2) element. */
    public DicomOutput text(int tag, String vr, String value) {
        Objects.requireNonNull(value, "value of " + Tags.format(tag));
        if (LONG_VRS.contains(vr) && !"UT".equals(vr) && !"UC".equals(vr) && !"UR".equals(vr)) {
            throw new IllegalArgumentException(Tags.format(tag) + ": " + vr + " is not a text VR");
        }
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        if (b.length % 2 == 1) {
            byte[] padded = new byte[b.length + 1];
            System.arraycopy(b, 0, padded, 0, b.length);
            padded[b.length] = "UI".equals(vr) ? 0 : (byte) ' ';
            b = padded;
        }
        return put(tag, vr, b);
    }

    /** Decimal strings (DS), each written in at most 16 characters as the VR requires. */
    public DicomOutput decimals(int tag, double... values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(Tags.format(tag) + ": " + v + " cannot be written as a decimal string");
            }
            if (sb.length() > 0) {
                sb.append('\\');
            }
            sb.append(decimalString(v));
        }
        return text(tag, "DS", sb.toString());
    }

    /** Unsigned shorts (US). */
    public DicomOutput unsignedShorts(int tag, int... values) {
        byte[] b = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 0xFFFF) {
                throw new IllegalArgumentException(Tags.format(tag) + ": " + values[i] + " does not fit US");
            }
            b[2 * i] = (byte) values[i];
            b[2 * i + 1] = (byte) (values[i] >>> 8);
        }
        return put(tag, "US", b);
    }

    /** Unsigned longs (UL), given as non-negative ints or longs below 2^32. */
    public DicomOutput unsignedLongs(int tag, long... values) {
        byte[] b = new byte[values.length * 4];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 0xFFFFFFFFL) {
                throw new IllegalArgumentException(Tags.format(tag) + ": " + values[i] + " does not fit UL");
            }
            for (int k = 0; k < 4; k++) {
                b[4 * i + k] = (byte) (values[i] >>> (8 * k));
            }
        }
        return put(tag, "UL", b);
    }

    /** Attribute tags (AT): each tag as group then element, both little-endian. */
    public DicomOutput attributeTags(int tag, int... tags) {
        byte[] b = new byte[tags.length * 4];
        for (int i = 0; i < tags.length; i++) {
            int g = tags[i] >>> 16;
            int e = tags[i] & 0xFFFF;
            b[4 * i] = (byte) g;
            b[4 * i + 1] = (byte) (g >>> 8);
            b[4 * i + 2] = (byte) e;
            b[4 * i + 3] = (byte) (e >>> 8);
        }
        return put(tag, "AT", b);
    }

    /** Other byte (OB), padded with a zero byte to even length. */
    public DicomOutput otherBytes(int tag, byte[] value) {
        byte[] b = value;
        if (b.length % 2 == 1) {
            b = java.util.Arrays.copyOf(value, value.length + 1);
        }
        return put(tag, "OB", b);
    }

    /** A sequence of the given items (an empty list writes an empty sequence). */
    public DicomOutput sequence(int tag, List<DicomOutput> items) {
        elements.put(tag, new Items(List.copyOf(items)));
        return this;
    }

    /** A sequence of one item. */
    public DicomOutput sequence(int tag, DicomOutput item) {
        return sequence(tag, List.of(item));
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    /** Whether every text in this data set and its items is ASCII (so no Specific Character Set is needed). */
    public boolean isAscii() {
        for (Map.Entry<Integer, Value> e : elements.entrySet()) {
            if (e.getValue() instanceof Items items) {
                for (DicomOutput item : items.items()) {
                    if (!item.isAscii()) {
                        return false;
                    }
                }
            } else if (e.getValue() instanceof Bytes bytes && isText(bytes.vr())) {
                for (byte x : bytes.value()) {
                    if (x < 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static boolean isText(String vr) {
        return switch (vr) {
            case "AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT" -> true;
            default -> false;
        };
    }

    private DicomOutput put(int tag, String vr, byte[] value) {
        if (!LONG_VRS.contains(vr) && value.length > SHORT_MAX) {
            throw new IllegalArgumentException(Tags.format(tag) + ": " + value.length + " bytes do not fit a " + vr
                    + " element");
        }
        elements.put(tag, new Bytes(vr, value));
        return this;
    }

    /** The encoded length of this data set (as an item's content or a file's body). */
    long length() {
        long n = 0;
        for (Map.Entry<Integer, Value> e : elements.entrySet()) {
            n += 8;
            if (e.getValue() instanceof Bytes b) {
                n += (LONG_VRS.contains(b.vr()) ? 4 : 0) + b.value().length;
            } else {
                n += 4 + itemsLength(((Items) e.getValue()).items());
            }
        }
        return n;
    }

    private static long itemsLength(List<DicomOutput> items) {
        long n = 0;
        for (DicomOutput item : items) {
            n += 8 + item.length();
        }
        return n;
    }

    /** Writes the elements (no preamble, no file meta). */
    public void writeTo(OutputStream out) throws IOException {
        for (Map.Entry<Integer, Value> e : elements.entrySet()) {
            int tag = e.getKey();
            if (e.getValue() instanceof Bytes b) {
                header(out, tag, b.vr(), b.value().length);
                out.write(b.value());
            } else {
                List<DicomOutput> items = ((Items) e.getValue()).items();
                header(out, tag, "SQ", checkedLength(tag, itemsLength(items)));
                for (DicomOutput item : items) {
                    tag(out, Tags.ITEM);
                    int32(out, checkedLength(tag, item.length()));
                    item.writeTo(out);
                }
            }
        }
    }

    private static long checkedLength(int tag, long length) {
        if (length > 0xFFFFFFFEL) {
            throw new IllegalArgumentException(Tags.format(tag) + ": " + length + " bytes exceed a DICOM element's length");
        }
        return length;
    }

    /**
     * A Part 10 file: 128-byte preamble, "DICM", File Meta Information (group 0002, with its group length) for
     * {@code sopClassUid}/{@code sopInstanceUid} in explicit VR little endian, then this data set.
     */
    public void writeFile(OutputStream out, String sopClassUid, String sopInstanceUid, String implementationClassUid,
                          String implementationVersionName) throws IOException {
        DicomOutput meta = new DicomOutput()
                .otherBytes(0x00020001, new byte[] {0, 1})
                .text(0x00020002, "UI", sopClassUid)
                .text(0x00020003, "UI", sopInstanceUid)
                .text(0x00020010, "UI", EXPLICIT_VR_LITTLE_ENDIAN)
                .text(0x00020012, "UI", implementationClassUid)
                .text(0x00020013, "SH", implementationVersionName);
        out.write(new byte[128]);
        out.write(new byte[] {'D', 'I', 'C', 'M'});
        new DicomOutput().unsignedLongs(Tags.FILE_META_GROUP_LENGTH, meta.length()).writeTo(out);
        meta.writeTo(out);
        writeTo(out);
    }

    /** This data set's bytes (for tests and small objects). */
    public byte[] toBytes() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            writeTo(b);
        } catch (IOException e) {
            throw new AssertionError("a byte array stream does not fail", e);
        }
        return b.toByteArray();
    }

    private static void header(OutputStream out, int tag, String vr, long length) throws IOException {
        tag(out, tag);
        out.write(vr.charAt(0));
        out.write(vr.charAt(1));
        if (LONG_VRS.contains(vr)) {
            out.write(0);
            out.write(0);
            int32(out, length);
        } else {
            out.write((int) length);
            out.write((int) (length >>> 8));
        }
    }

    private static void tag(OutputStream out, int tag) throws IOException {
        int g = tag >>> 16;
        int e = tag & 0xFFFF;
        out.write(g);
        out.write(g >>> 8);
        out.write(e);
        out.write(e >>> 8);
    }

    private static void int32(OutputStream out, long v) throws IOException {
        for (int k = 0; k < 4; k++) {
            out.write((int) (v >>> (8 * k)));
        }
    }

    /**
     * {@code v} in at most 16 characters (the DS limit): the shortest round-trip form when it fits, else fewer
     * significant digits in plain or scientific notation.
     */
    static String decimalString(double v) {
        if (v == 0) {
            return "0";
        }
        String s = plain(Double.toString(v));
        if (s.length() <= 16) {
            return s;
        }
        java.math.BigDecimal exact = new java.math.BigDecimal(Double.toString(v));
        for (int digits = 15; digits >= 1; digits--) {
            // rounding half-even is closest; rounding down keeps values near Double.MAX_VALUE finite
            for (java.math.RoundingMode mode : new java.math.RoundingMode[] {java.math.RoundingMode.HALF_EVEN,
                    java.math.RoundingMode.DOWN}) {
                java.math.BigDecimal rounded = exact.round(new java.math.MathContext(digits, mode));
                // BigDecimal writes small numbers in plain notation (0.0000015...), which wastes characters
                for (String g : new String[] {plain(rounded.toString()), plain(scientific(rounded))}) {
                    if (g.length() <= 16 && Double.isFinite(Double.parseDouble(g))) {
                        return g;
                    }
                }
            }
        }
        throw new AssertionError("no 16-character decimal string for " + v);
    }

    private static String scientific(java.math.BigDecimal d) {
        java.math.BigDecimal unscaled = d.stripTrailingZeros();
        int exponent = unscaled.precision() - unscaled.scale() - 1;
        return unscaled.movePointLeft(exponent).toPlainString() + "E" + exponent;
    }

    /** Strips trailing zeros of the mantissa ("100.0" to "100", "1.50E-7" to "1.5E-7") and a zero exponent. */
    private static String plain(String s) {
        String mantissa = s;
        String exponent = "";
        int e = s.indexOf('E') >= 0 ? s.indexOf('E') : s.indexOf('e');
        if (e >= 0) {
            mantissa = s.substring(0, e);
            exponent = "E" + Integer.parseInt(s.substring(e + 1));
        }
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "");
            if (mantissa.endsWith(".")) {
                mantissa = mantissa.substring(0, mantissa.length() - 1);
            }
        }
        return exponent.equals("E0") ? mantissa : mantissa + exponent;
    }

    /** Element tags present at this level, ascending (for tests). */
    public List<Integer> tags() {
        return new ArrayList<>(elements.keySet());
    }
}
