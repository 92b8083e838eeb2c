package dev.medsam.io.dicom.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Siemens' private CSA header ("SIEMENS CSA HEADER", element xx10 of group 0029): name, then text items, per tag.
 * Only the SV10 ("CSA2") layout is read; it is what every mosaic-writing Siemens scanner since VB uses.
 */
public final class SiemensCsa {

    private static final int MAX_TAGS = 1000;
    private static final int MAX_ITEMS = 1000;

    private SiemensCsa() {
    }

    /** The image CSA header of {@code ds}, if it has one: tag name to its non-empty items, trimmed. */
    public static Optional<Map<String, List<String>>> imageHeader(Attributes ds) throws IOException {
        for (int e = 0x10; e <= 0xFF; e++) {
            int creator = 0x00290000 | e;
            if ("SIEMENS CSA HEADER".equals(ds.string(creator).orElse(""))) {
                int tag = 0x00290000 | (e << 8) | 0x10;
                Optional<byte[]> b = ds.bytes(tag);
                if (b.isPresent()) {
                    return Optional.of(parse(b.get(), ds.source() + " " + Tags.format(tag)));
                }
            }
        }
        return Optional.empty();
    }

    static Map<String, List<String>> parse(byte[] b, String what) throws IOException {
        if (b.length < 16 || b[0] != 'S' || b[1] != 'V' || b[2] != '1' || b[3] != '0') {
            throw new IOException(what + ": not an SV10 CSA header");
        }
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        in.position(8);
        int tags = in.getInt();
        in.getInt();
        if (tags <= 0 || tags > MAX_TAGS) {
            throw new IOException(what + ": CSA header declares " + tags + " tags");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int t = 0; t < tags; t++) {
            need(in, 84, what, t);
            byte[] name = new byte[64];
            in.get(name);
            int vm = in.getInt();
            in.position(in.position() + 4 + 4); // VR, syngo data type
            int items = in.getInt();
            in.getInt();
            if (items < 0 || items > MAX_ITEMS) {
                throw new IOException(what + ": CSA tag " + t + " declares " + items + " items");
            }
            List<String> values = new ArrayList<>();
            for (int i = 0; i < items; i++) {
                need(in, 16, what, t);
                in.getInt();
                int len = in.getInt();
                in.getInt();
                in.getInt();
                if (len < 0 || len > in.remaining()) {
                    throw new IOException(what + ": CSA item " + i + " of tag " + t + " has length " + len
                            + ", past the end of the header");
                }
                byte[] v = new byte[len];
                in.get(v);
                in.position(Math.min(in.limit(), in.position() + (4 - len % 4) % 4));
                if (vm == 0 || i < vm) {
                    String s = cString(v).trim();
                    if (!s.isEmpty()) {
                        values.add(s);
                    }
                }
            }
            out.put(cString(name), List.copyOf(values));
        }
        return out;
    }

    private static void need(ByteBuffer in, int n, String what, int tag) throws IOException {
        if (in.remaining() < n) {
            throw new IOException(what + ": CSA header ends inside tag " + tag);
        }
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }
}
