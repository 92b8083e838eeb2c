package dev.medsam.io.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** Writes small DICOM files for tests, in any of the transfer syntaxes the reader supports, lies included on request. */
final class TestDicom {

    enum Syntax {
        EXPLICIT_LE("1.2.840.10008.1.2.1"), IMPLICIT_LE("1.2.840.10008.1.2"), EXPLICIT_BE("1.2.840.10008.1.2.2"),
        DEFLATED("1.2.840.10008.1.2.1.99"), RLE("1.2.840.10008.1.2.5"), JPEG_LS("1.2.840.10008.1.2.4.80");

        final String uid;

        Syntax(String uid) {
            this.uid = uid;
        }
    }

    private static final Set<String> LONG = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

    private record El(int tag, String vr, byte[] value, List<TestDicom> items, boolean undefined, List<byte[]> fragments,
                      long lengthOverride) {
    }

    private final List<El> elements = new ArrayList<>();
    private Charset charset = StandardCharsets.ISO_8859_1;

    TestDicom charset(Charset cs) {
        this.charset = cs;
        return this;
    }

    TestDicom raw(int tag, String vr, byte[] value) {
        elements.add(new El(tag, vr, value, List.of(), false, List.of(), -1));
        return this;
    }

    /** An element whose length field says {@code length} whatever its value holds (a lie). */
    TestDicom lying(int tag, String vr, byte[] value, long length) {
        elements.add(new El(tag, vr, value, List.of(), false, List.of(), length));
        return this;
    }

    TestDicom str(int tag, String vr, String value) {
        byte[] b = value.getBytes(charset);
        if (b.length % 2 == 1) {
            byte[] p = new byte[b.length + 1];
            System.arraycopy(b, 0, p, 0, b.length);
            p[b.length] = (byte) ("UI".equals(vr) ? 0 : ' ');
            b = p;
        }
        return raw(tag, vr, b);
    }

    TestDicom us(int tag, int... values) {
        byte[] b = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            b[2 * i] = (byte) values[i];
            b[2 * i + 1] = (byte) (values[i] >> 8);
        }
        return raw(tag, "US", b);
    }

    TestDicom seq(int tag, boolean undefinedLength, TestDicom... items) {
        elements.add(new El(tag, "SQ", new byte[0], List.of(items), undefinedLength, List.of(), -1));
        return this;
    }

    /** Native pixel data, little-endian values (swapped for big endian by the writer when {@code wordSize} > 1). */
    TestDicom pixels(String vr, byte[] data) {
        return raw(0x7FE00010, vr, data);
    }

    /** Encapsulated pixel data: the offset table item's content, then the fragments. */
    TestDicom fragments(byte[] offsetTable, List<byte[]> fragments) {
        List<byte[]> all = new ArrayList<>();
        all.add(offsetTable);
        all.addAll(fragments);
        elements.add(new El(0x7FE00010, "OB", new byte[0], List.of(), true, all, -1));
        return this;
    }

    /** A grey image: Rows, Columns, bits, sign, frames, photometric. */
    static TestDicom image(int rows, int cols, int bitsAllocated, int bitsStored, boolean signed, int frames) {
        TestDicom d = new TestDicom()
                .str(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.7")
                .str(0x00080018, "UI", "1.2.3.4.5")
                .str(0x00080060, "CS", "OT")
                .str(0x0020000E, "UI", "1.2.3.4")
                .us(0x00280002, 1)
                .str(0x00280004, "CS", "MONOCHROME2")
                .us(0x00280010, rows)
                .us(0x00280011, cols)
                .us(0x00280100, bitsAllocated)
                .us(0x00280101, bitsStored)
                .us(0x00280102, bitsStored - 1)
                .us(0x00280103, signed ? 1 : 0);
        if (frames > 1) {
            d.str(0x00280008, "IS", Integer.toString(frames));
        }
        return d;
    }

    /** An explicit VR little endian file whose meta group names {@code transferSyntaxUid} (for codecs). */
    byte[] writeWithSyntax(String transferSyntaxUid) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        byte[] body = new TestDicom().raw(0x00020001, "OB", new byte[] {0, 1}).str(0x00020010, "UI", transferSyntaxUid)
                .encode(true, false);
        out.writeBytes(new TestDicom().raw(0x00020000, "UL", le32(body.length)).encode(true, false));
        out.writeBytes(body);
        out.writeBytes(encode(true, false));
        return out.toByteArray();
    }

    byte[] write(Syntax syntax) {
        return write(syntax, true);
    }

    byte[] write(Syntax syntax, boolean preamble) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (preamble) {
            out.writeBytes(new byte[128]);
            out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
            TestDicom meta = new TestDicom()
                    .raw(0x00020001, "OB", new byte[] {0, 1})
                    .str(0x00020002, "UI", "1.2.840.10008.5.1.4.1.1.7")
                    .str(0x00020003, "UI", "1.2.3.4.5")
                    .str(0x00020010, "UI", syntax.uid);
            byte[] body = meta.encode(true, false);
            byte[] len = new TestDicom().raw(0x00020000, "UL", le32(body.length)).encode(true, false);
            out.writeBytes(len);
            out.writeBytes(body);
        }
        boolean explicit = syntax != Syntax.IMPLICIT_LE;
        boolean be = syntax == Syntax.EXPLICIT_BE;
        byte[] ds = encode(explicit, be);
        if (syntax == Syntax.DEFLATED) {
            ByteArrayOutputStream z = new ByteArrayOutputStream();
            try (DeflaterOutputStream d = new DeflaterOutputStream(z, new Deflater(Deflater.DEFAULT_COMPRESSION, true))) {
                d.write(ds);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            ds = z.toByteArray();
        }
        out.writeBytes(ds);
        return out.toByteArray();
    }

    byte[] encode(boolean explicit, boolean be) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<El> sorted = new ArrayList<>(elements);
        sorted.sort(Comparator.comparingLong(e -> e.tag & 0xFFFFFFFFL));
        for (El e : sorted) {
            tag(out, e.tag, be);
            if (e.fragments.size() > 0) {
                if (explicit) {
                    out.writeBytes(e.vr.getBytes(StandardCharsets.US_ASCII));
                    out.write(0);
                    out.write(0);
                }
                out.writeBytes(be ? be32(0xFFFFFFFFL) : le32(0xFFFFFFFFL));
                for (byte[] f : e.fragments) {
                    tag(out, 0xFFFEE000, be);
                    out.writeBytes(be ? be32(f.length) : le32(f.length));
                    out.writeBytes(f);
                }
                tag(out, 0xFFFEE0DD, be);
                out.writeBytes(new byte[4]);
                continue;
            }
            byte[] value = e.value;
            if ("SQ".equals(e.vr)) {
                ByteArrayOutputStream items = new ByteArrayOutputStream();
                for (TestDicom item : e.items) {
                    byte[] body = item.encode(explicit, be);
                    tag(items, 0xFFFEE000, be);
                    items.writeBytes(be ? be32(e.undefined ? 0xFFFFFFFFL : body.length) : le32(e.undefined ? 0xFFFFFFFFL : body.length));
                    items.writeBytes(body);
                    if (e.undefined) {
                        tag(items, 0xFFFEE00D, be);
                        items.writeBytes(new byte[4]);
                    }
                }
                if (e.undefined) {
                    tag(items, 0xFFFEE0DD, be);
                    items.writeBytes(new byte[4]);
                }
                value = items.toByteArray();
            } else if (be) {
                value = swap(e.vr, value);
            }
            long len = e.lengthOverride >= 0 ? e.lengthOverride : ("SQ".equals(e.vr) && e.undefined ? 0xFFFFFFFFL : value.length);
            if (explicit) {
                out.writeBytes(e.vr.getBytes(StandardCharsets.US_ASCII));
                if (LONG.contains(e.vr)) {
                    out.write(0);
                    out.write(0);
                    out.writeBytes(be ? be32(len) : le32(len));
                } else {
                    out.write(be ? (int) (len >> 8) & 0xFF : (int) len & 0xFF);
                    out.write(be ? (int) len & 0xFF : (int) (len >> 8) & 0xFF);
                }
            } else {
                out.writeBytes(be ? be32(len) : le32(len));
            }
            out.writeBytes(value);
        }
        return out.toByteArray();
    }

    private static byte[] swap(String vr, byte[] v) {
        int w = switch (vr) {
            case "US", "SS", "OW" -> 2;
            case "UL", "SL", "FL", "OF", "OL" -> 4;
            case "FD", "OD", "OV", "SV", "UV" -> 8;
            default -> 1;
        };
        byte[] out = v.clone();
        for (int i = 0; i + w <= out.length; i += w) {
            for (int a = i, z = i + w - 1; a < z; a++, z--) {
                byte t = out[a];
                out[a] = out[z];
                out[z] = t;
            }
        }
        return out;
    }

    private static void tag(ByteArrayOutputStream out, int tag, boolean be) {
        int g = tag >>> 16;
        int e = tag & 0xFFFF;
        if (be) {
            out.write(g >> 8);
            out.write(g & 0xFF);
            out.write(e >> 8);
            out.write(e & 0xFF);
        } else {
            out.write(g & 0xFF);
            out.write(g >> 8);
            out.write(e & 0xFF);
            out.write(e >> 8);
        }
    }

    static byte[] le32(long v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    static byte[] be32(long v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    static byte[] le16(int... v) {
        byte[] b = new byte[v.length * 2];
        for (int i = 0; i < v.length; i++) {
            b[2 * i] = (byte) v[i];
            b[2 * i + 1] = (byte) (v[i] >> 8);
        }
        return b;
    }
}
