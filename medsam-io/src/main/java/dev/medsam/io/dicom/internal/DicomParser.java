package dev.medsam.io.dicom.internal;

import dev.medsam.io.files.internal.Limits;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Reads a DICOM Part 10 file (or a bare data set) up to its pixel data: preamble and "DICM" prefix when present,
 * the file meta group, then the data set in the transfer syntax the meta group names (implicit or explicit VR
 * little endian, explicit VR big endian, deflated explicit VR little endian). Sequences of defined and undefined
 * length are read into items; private elements are kept as bytes. Parsing stops at the top-level pixel data,
 * whose position and length are remembered so that headers can be scanned without reading pixels.
 *
 * <p>Every failure is an {@link IOException} naming the file and the byte offset or tag.
 */
public final class DicomParser {

    /** Deepest sequence nesting accepted. Real objects nest 4 or 5 deep; a file nesting deeper is malformed. */
    static final int MAX_DEPTH = 32;
    /** Largest header value kept from a deflated stream, whose length cannot be checked against the file size. */
    static final long MAX_INFLATED_VALUE = 64L << 20;
    /**
     * Most bytes of values (pixel data aside) kept from one file's header. Well above real headers (the largest
     * are embedded documents and overlays, tens of MB), and low enough that a deflated file cannot make us
     * inflate gigabytes of private elements before failing.
     */
    static final long MAX_INFLATED_HEADER = 4 * MAX_INFLATED_VALUE;

    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final Set<String> LONG_LENGTH_VRS =
            Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");
    private static final Set<Integer> KNOWN_START_GROUPS = Set.of(0x0002, 0x0004, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028);

    private final String source;
    private final Path path;
    /** The values this parse keeps, summed over all elements (set per file in {@link #run}). */
    private Limits.Budget budget;

    private DicomParser(Path path, String source) {
        this.path = path;
        this.source = source;
    }

    /**
     * Parses the header of {@code path}.
     *
     * @throws IOException if the file cannot be read or is not a well-formed DICOM file
     */
    public static ParsedFile parse(Path path) throws IOException {
        return new DicomParser(path, path.toString()).run();
    }

    private ParsedFile run() throws IOException {
        Limits.requireRegularFile(path);
        long size = Files.size(path);

        try (InputStream raw = Files.newInputStream(path)) {
            BufferedInputStream in = new BufferedInputStream(raw, 1 << 14);
            in.mark(140);
            byte[] head = in.readNBytes(132);
            in.reset();
            ByteSource src = new ByteSource(in, source, 0, size);
            boolean meta;
            if (head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M') {
                src.skip(132, "preamble");
                meta = true;
            } else if (head.length >= 4 && head[0] == 'D' && head[1] == 'I' && head[2] == 'C' && head[3] == 'M') {
                src.skip(4, "DICM prefix");
                meta = true;
            } else {
                if (head.length < 8) {
                    throw new IOException(source + ": not a DICOM file (" + size + " bytes, too short for a data element)");
                }
                meta = (head[0] & 0xFF) == 0x02 && head[1] == 0;
            }
            Encoding metaEncoding = new Encoding(true, false);
            Attributes metaAttrs = meta ? readMetaGroup(src, in, metaEncoding)
                    : new Attributes(Map.of(), StandardCharsets.ISO_8859_1, source);
            TransferSyntax ts;
            String tsUid = metaAttrs.string(Tags.TRANSFER_SYNTAX_UID).orElse("");
            if (!tsUid.isEmpty()) {
                ts = TransferSyntax.of(tsUid);
            } else {
                ts = guessTransferSyntax(head, meta, src, in);
            }
            long datasetStart = src.position();
            // what this file's elements may keep in total: a deflated header is bounded by a fixed cap, a plain one
            // by the file itself (and both by the heap)
            budget = ts.deflated()
                    ? new Limits.Budget(path, Math.min(Limits.inflateBound(size), MAX_INFLATED_HEADER),
                            "the deflated header of a " + size + "-byte file")
                    : new Limits.Budget(path, size, "a " + size + "-byte file");
            Encoding enc = new Encoding(ts.explicitVr(), ts.bigEndian());
            Holder pixel = new Holder();
            Attributes dataset;
            if (ts.deflated()) {
                ByteSource inflated = new ByteSource(new BufferedInputStream(inflate(in), 1 << 16), source + " (inflated)", 0,
                        Long.MAX_VALUE);
                dataset = readDataset(inflated, -1, 0, enc, StandardCharsets.ISO_8859_1, pixel);
            } else {
                dataset = readDataset(src, -1, 0, enc, StandardCharsets.ISO_8859_1, pixel);
            }
            return new ParsedFile(path, size, metaAttrs, dataset, ts, datasetStart, pixel.info);
        }
    }

    private Attributes readMetaGroup(ByteSource src, BufferedInputStream in, Encoding enc) throws IOException {
        Map<Integer, Element> map = new LinkedHashMap<>();
        while (!src.atEnd()) {
            in.mark(4);
            int group = (in.read() & 0xFF) | ((in.read() & 0xFF) << 8);
            in.reset();
            if (group != 0x0002) {
                break;
            }
            long off = src.position();
            Element e = readElementBody(src, enc, readTag(src, enc), off, 0, StandardCharsets.ISO_8859_1, src.limit());
            map.put(e.tag(), e);
        }
        return new Attributes(map, StandardCharsets.ISO_8859_1, source);
    }

    private TransferSyntax guessTransferSyntax(byte[] head, boolean meta, ByteSource src, BufferedInputStream in)
            throws IOException {
        in.mark(8);
        byte[] b = in.readNBytes(8);
        in.reset();
        if (b.length < 8) {
            throw new IOException(source + ": no data set after the file meta group (byte offset " + src.position() + ")");
        }
        boolean vrLetters = Character.isUpperCase(b[4]) && Character.isUpperCase(b[5]);
        int groupLe = (b[0] & 0xFF) | ((b[1] & 0xFF) << 8);
        int groupBe = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
        if (!meta && !KNOWN_START_GROUPS.contains(groupLe) && !KNOWN_START_GROUPS.contains(groupBe)) {
            throw new IOException(source + ": not a DICOM file (no DICM prefix at byte 128, and the first bytes are not "
                    + "a data element)");
        }
        if (vrLetters && !KNOWN_START_GROUPS.contains(groupLe) && KNOWN_START_GROUPS.contains(groupBe)) {
            return TransferSyntax.of(TransferSyntax.EXPLICIT_BE);
        }
        return TransferSyntax.of(vrLetters ? TransferSyntax.EXPLICIT_LE : TransferSyntax.IMPLICIT_LE);
    }

    /** Deflate streams are raw (RFC 1951) per PS3.5 A.5; some writers add a zlib header, which is accepted too. */
    private static InputStream inflate(BufferedInputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        boolean zlib = b0 >= 0 && b1 >= 0 && (b0 & 0x0F) == 8 && ((b0 << 8) | b1) % 31 == 0;
        return new InflaterInputStream(in, new Inflater(!zlib), 1 << 16);
    }

    /** Where the top-level pixel data was found. */
    private static final class Holder {
        PixelDataInfo info;
    }

    /** VR mode and byte order of a data set. */
    record Encoding(boolean explicitVr, boolean bigEndian) {
    }

    /**
     * Reads elements until {@code end} (a byte offset), or, when {@code end} is -1, until an item delimiter
     * (inside an undefined-length item) or the end of data (top level).
     */
    private Attributes readDataset(ByteSource src, long end, int depth, Encoding enc, Charset inherited, Holder pixel)
            throws IOException {
        Map<Integer, Element> map = new LinkedHashMap<>();
        Charset charset = inherited;
        long bound = end >= 0 ? end : src.limit();
        while (true) {
            if (end >= 0) {
                if (src.position() == end) {
                    break;
                }
                if (src.position() > end) {
                    throw new IOException(source + ": element ending at byte offset " + src.position()
                            + " overruns its item, which ends at " + end);
                }
            } else if (depth == 0 && src.atEnd()) {
                break;
            }
            long tagOffset = src.position();
            int tag = readTag(src, enc);
            if (tag == Tags.ITEM_DELIMITATION) {
                src.u32(enc.bigEndian());
                if (depth > 0 && end < 0) {
                    break;
                }
                throw new IOException(source + ": unexpected item delimiter (FFFE,E00D) at byte offset " + tagOffset);
            }
            if (depth == 0 && (tag == Tags.PIXEL_DATA || tag == Tags.FLOAT_PIXEL_DATA
                    || tag == Tags.DOUBLE_FLOAT_PIXEL_DATA)) {
                String vr = enc.explicitVr() ? readVr(src, tag, tagOffset) : Dictionary.vr(tag);
                long len = readLength(src, enc, vr);
                pixel.info = new PixelDataInfo(tag, vr, src.position(), len == UNDEFINED ? -1 : len, enc.bigEndian(),
                        tagOffset);
                if (len != UNDEFINED && src.position() + len > src.limit()) {
                    throw new IOException(source + ": pixel data " + Tags.format(tag) + " at byte offset " + tagOffset
                            + " declares " + len + " bytes, past the end of the file (" + src.limit() + " bytes)");
                }
                break;
            }
            Element e = readElementBody(src, enc, tag, tagOffset, depth, charset, bound);
            map.put(e.tag(), e);
            if (e.tag() == Tags.SPECIFIC_CHARACTER_SET) {
                Attributes tmp = new Attributes(Map.of(e.tag(), e), charset, source);
                charset = Charsets.of(tmp.strings(Tags.SPECIFIC_CHARACTER_SET), source);
            }
        }
        return new Attributes(map, charset, source);
    }

    private int readTag(ByteSource src, Encoding enc) throws IOException {
        int group = src.u16(enc.bigEndian());
        int element = src.u16(enc.bigEndian());
        return (group << 16) | element;
    }

    private String readVr(ByteSource src, int tag, long tagOffset) throws IOException {
        int a = src.u8();
        int b = src.u8();
        if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') {
            throw new IOException(source + ": element " + Tags.format(tag) + " at byte offset " + tagOffset
                    + " has no valid VR (bytes " + String.format("%02X %02X", a, b) + ")");
        }
        return "" + (char) a + (char) b;
    }

    private long readLength(ByteSource src, Encoding enc, String vr) throws IOException {
        if (!enc.explicitVr()) {
            return src.u32(enc.bigEndian());
        }
        if (LONG_LENGTH_VRS.contains(vr)) {
            src.u16(enc.bigEndian());
            return src.u32(enc.bigEndian());
        }
        return src.u16(enc.bigEndian());
    }

    private Element readElementBody(ByteSource src, Encoding enc, int tag, long tagOffset, int depth, Charset charset,
                                    long bound) throws IOException {
        if ((tag >>> 16) == 0xFFFE) {
            throw new IOException(source + ": unexpected " + Tags.format(tag) + " at byte offset " + tagOffset
                    + " outside a sequence");
        }
        String vr = enc.explicitVr() ? readVr(src, tag, tagOffset) : Dictionary.vr(tag);
        long len = readLength(src, enc, vr);
        String what = "element " + Tags.format(tag);
        if (len == UNDEFINED) {
            if ("SQ".equals(vr) || !enc.explicitVr()) {
                List<Attributes> items = readItems(src, -1, depth + 1, enc, charset, tag, bound);
                return new Element(tag, "SQ", new byte[0], items, enc.bigEndian(), tagOffset);
            }
            if ("UN".equals(vr)) {
                // PS3.5 6.2.2: an undefined-length UN element is a sequence encoded as implicit VR little endian.
                List<Attributes> items = readItems(src, -1, depth + 1, new Encoding(false, false), charset, tag, bound);
                return new Element(tag, "SQ", new byte[0], items, false, tagOffset);
            }
            if ("OB".equals(vr) || "OW".equals(vr)) {
                // Encapsulated data below the top level (e.g. an icon image): skip its items.
                skipFragments(src, enc, tag);
                return new Element(tag, vr, new byte[0], List.of(), enc.bigEndian(), tagOffset);
            }
            throw new IOException(source + ": " + what + " at byte offset " + tagOffset + " has undefined length but VR "
                    + vr);
        }
        if (src.position() + len > bound) {
            throw new IOException(source + ": " + what + " at byte offset " + tagOffset + " declares " + len
                    + " bytes, past the end of its " + (depth == 0 ? "file" : "item") + " (byte offset " + bound + ")");
        }
        if ("SQ".equals(vr)) {
            List<Attributes> items = readItems(src, len, depth + 1, enc, charset, tag, bound);
            return new Element(tag, "SQ", new byte[0], items, enc.bigEndian(), tagOffset);
        }
        if (src.limit() == Long.MAX_VALUE && len > MAX_INFLATED_VALUE) {
            throw new IOException(source + ": " + what + " at byte offset " + tagOffset + " declares " + len
                    + " bytes, more than the " + MAX_INFLATED_VALUE + " accepted in a deflated header");
        }
        if (budget != null) {
            // each element is capped above; the sum must be bounded too (200 private elements of 60 MB each)
            budget.charge(len, what + " at byte offset " + tagOffset);
        }
        byte[] value = src.bytes(len, what);
        return new Element(tag, vr, value, List.of(), enc.bigEndian(), tagOffset);
    }

    private List<Attributes> readItems(ByteSource src, long len, int depth, Encoding enc, Charset charset, int seqTag,
                                       long outerBound) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException(source + ": sequence " + Tags.format(seqTag) + " at byte offset " + src.position()
                    + " is nested more than " + MAX_DEPTH + " deep");
        }
        long end = len < 0 ? -1 : src.position() + len;
        long bound = end >= 0 ? end : outerBound;
        List<Attributes> items = new ArrayList<>();
        while (true) {
            if (end >= 0 && src.position() >= end) {
                if (src.position() > end) {
                    throw new IOException(source + ": items of sequence " + Tags.format(seqTag) + " overrun its length ("
                            + "ends at byte offset " + end + ", reached " + src.position() + ")");
                }
                break;
            }
            long itemOffset = src.position();
            int tag = readTag(src, enc);
            long itemLen = src.u32(enc.bigEndian());
            if (tag == Tags.SEQUENCE_DELIMITATION) {
                break;
            }
            if (tag != Tags.ITEM) {
                throw new IOException(source + ": expected an item (FFFE,E000) in sequence " + Tags.format(seqTag)
                        + " at byte offset " + itemOffset + ", found " + Tags.format(tag));
            }
            if (itemLen == UNDEFINED) {
                items.add(readDataset(src, -1, depth, enc, charset, null));
            } else {
                if (src.position() + itemLen > bound) {
                    throw new IOException(source + ": item of sequence " + Tags.format(seqTag) + " at byte offset "
                            + itemOffset + " declares " + itemLen + " bytes, past the end of its sequence or file (byte offset "
                            + bound + ")");
                }
                items.add(readDataset(src, src.position() + itemLen, depth, enc, charset, null));
            }
        }
        return List.copyOf(items);
    }

    private void skipFragments(ByteSource src, Encoding enc, int tag) throws IOException {
        while (true) {
            long off = src.position();
            int t = readTag(src, enc);
            long l = src.u32(enc.bigEndian());
            if (t == Tags.SEQUENCE_DELIMITATION) {
                return;
            }
            if (t != Tags.ITEM || l == UNDEFINED) {
                throw new IOException(source + ": malformed fragment in " + Tags.format(tag) + " at byte offset " + off);
            }
            src.skip(l, "fragment of " + Tags.format(tag));
        }
    }

    /** Parses the value of a UN element as an implicit VR little endian sequence (PS3.5 6.2.2). */
    static List<Attributes> parseUnknownSequence(Element e, Charset charset, String source) throws IOException {
        DicomParser p = new DicomParser(Path.of(""), source);
        return p.readItems(
                new ByteSource(new ByteArrayInputStream(e.value()), source + " " + Tags.format(e.tag()), 0, e.value().length),
                e.value().length, 1, new Encoding(false, false), charset, e.tag(), e.value().length);
    }

    /** Opens the pixel data value of {@code file} for reading, positioned at its first byte. */
    static ByteSource openPixelData(ParsedFile file) throws IOException {
        PixelDataInfo info = file.pixelData().orElseThrow(() -> new IOException(file.path() + ": no pixel data"));
        if (!file.transferSyntax().deflated()) {
            FileChannel ch = FileChannel.open(file.path(), StandardOpenOption.READ);
            try {
                ch.position(info.valueOffset());
                return new ByteSource(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16), file.path().toString(),
                        info.valueOffset(), file.size());
            } catch (IOException | RuntimeException ex) {
                ch.close();
                throw ex;
            }
        }
        InputStream raw = Files.newInputStream(file.path());
        try {
            BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
            in.skipNBytes(file.datasetStart());
            ByteSource s = new ByteSource(new BufferedInputStream(inflate(in), 1 << 16), file.path() + " (inflated)", 0,
                    Long.MAX_VALUE);
            s.skip(info.valueOffset(), "data before pixel data");
            return s;
        } catch (IOException | RuntimeException ex) {
            raw.close();
            throw ex;
        }
    }
}
