package dev.medsam.core.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes small safetensors files for tests, byte by byte (no library), optionally with a hand-made header. */
public final class SafetensorsBuilder {

    private record Entry(String name, String dtype, int[] shape, byte[] data) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsBuilder add(String name, String dtype, int[] shape, byte[] data) {
        entries.add(new Entry(name, dtype, shape, data));
        return this;
    }

    public SafetensorsBuilder addF32(String name, int[] shape, float... values) {
        return add(name, "F32", shape, f32(values));
    }

    public SafetensorsBuilder metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** The header JSON, tensors in insertion order with contiguous offsets. */
    public String header() {
        StringBuilder sb = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            sb.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
                first = false;
            }
            sb.append('}');
        }
        long offset = 0;
        for (Entry e : entries) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(e.name).append("\":{\"dtype\":\"").append(e.dtype).append("\",\"shape\":[");
            for (int i = 0; i < e.shape.length; i++) {
                sb.append(i == 0 ? "" : ",").append(e.shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + e.data.length).append("]}");
            offset += e.data.length;
        }
        return sb.append('}').toString();
    }

    public byte[] data() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            out.writeBytes(e.data);
        }
        return out.toByteArray();
    }

    public byte[] build() {
        return file(header(), data());
    }

    /** A file from any header text (padded with spaces to 8 bytes, as the reference writer does) and data. */
    public static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        return b.put(data).array();
    }

    public static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    public static byte[] u16(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : bits) {
            b.putShort((short) v);
        }
        return b.array();
    }
}
