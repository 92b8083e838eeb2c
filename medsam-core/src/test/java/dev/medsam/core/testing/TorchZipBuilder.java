package dev.medsam.core.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes a zip archive the way PyTorch's serializer does: entries stored uncompressed, data 64-byte aligned
 * with an "FB" padding extra field, local headers with a data descriptor (sizes 0 there, real sizes in the
 * descriptor and the central directory). Optionally with zip64 records throughout.
 */
public final class TorchZipBuilder {

    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private boolean zip64;

    /** The standard layout: {@code <archive>/data.pkl}, {@code byteorder}, {@code data/N}, {@code version}. */
    public static TorchZipBuilder checkpoint(String archive, byte[] pickle, Map<String, byte[]> storages, String byteorder) {
        TorchZipBuilder z = new TorchZipBuilder();
        z.entry(archive + "/data.pkl", pickle);
        if (byteorder != null) {
            z.entry(archive + "/byteorder", byteorder.getBytes(StandardCharsets.US_ASCII));
        }
        for (Map.Entry<String, byte[]> s : storages.entrySet()) {
            z.entry(archive + "/data/" + s.getKey(), s.getValue());
        }
        z.entry(archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return z;
    }

    public TorchZipBuilder entry(String name, byte[] data) {
        entries.put(name, data);
        return this;
    }

    public TorchZipBuilder zip64(boolean on) {
        zip64 = on;
        return this;
    }

    public byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        record Central(byte[] name, long crc, long size, long offset) {
        }
        List<Central> central = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] data = e.getValue();
            CRC32 crc = new CRC32();
            crc.update(data);
            long offset = out.size();
            int unpadded = 30 + name.length + 4;
            int pad = (int) ((64 - (offset + unpadded) % 64) % 64);
            ByteBuffer h = le(30 + name.length + 4 + pad);
            h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0808).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt(0).putInt(0)
                    .putShort((short) name.length).putShort((short) (4 + pad)).put(name)
                    .putShort((short) 0x4246).putShort((short) pad); // "FB" padding field
            out.writeBytes(h.array());
            out.writeBytes(data);
            ByteBuffer dd = le(16);
            dd.putInt(0x08074b50).putInt((int) crc.getValue()).putInt(data.length).putInt(data.length);
            out.writeBytes(dd.array());
            central.add(new Central(name, crc.getValue(), data.length, offset));
        }
        long cdOffset = out.size();
        for (Central c : central) {
            int extra = zip64 ? 4 + 24 : 0;
            ByteBuffer h = le(46 + c.name().length + extra);
            h.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0x0808)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt((int) c.crc());
            if (zip64) {
                h.putInt(-1).putInt(-1);
            } else {
                h.putInt((int) c.size()).putInt((int) c.size());
            }
            h.putShort((short) c.name().length).putShort((short) extra).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(zip64 ? -1 : (int) c.offset()).put(c.name());
            if (zip64) {
                h.putShort((short) 1).putShort((short) 24).putLong(c.size()).putLong(c.size()).putLong(c.offset());
            }
            out.writeBytes(h.array());
        }
        long cdSize = out.size() - cdOffset;
        if (zip64) {
            long z64 = out.size();
            ByteBuffer r = le(56);
            r.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(central.size()).putLong(central.size()).putLong(cdSize).putLong(cdOffset);
            out.writeBytes(r.array());
            ByteBuffer loc = le(20);
            loc.putInt(0x07064b50).putInt(0).putLong(z64).putInt(1);
            out.writeBytes(loc.array());
        }
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
        if (zip64) {
            end.putShort((short) -1).putShort((short) -1).putInt(-1).putInt(-1);
        } else {
            end.putShort((short) central.size()).putShort((short) central.size()).putInt((int) cdSize)
                    .putInt((int) cdOffset);
        }
        end.putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
