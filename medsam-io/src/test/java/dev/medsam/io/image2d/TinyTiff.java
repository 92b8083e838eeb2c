package dev.medsam.io.image2d;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes minimal uncompressed single-strip TIFFs, so that tests control every tag. */
final class TinyTiff {

    /**
     * A TIFF of {@code width} x {@code height} pixels with {@code samples} samples of {@code bits} bits in
     * {@code sampleFormat} (1 unsigned, 2 signed, 3 float), holding {@code pixelData} (already in
     * {@code order}).
     */
    static byte[] write(ByteOrder order, int width, int height, int samples, int bits, int sampleFormat,
                        byte[] pixelData, double[] resolution, int resolutionUnit, String description) {
        int photometric = samples == 3 ? 2 : 1;
        List<int[]> tags = new ArrayList<>(); // tag, type, count, value (or offset placeholder -1)
        int entries = 12 + (resolution != null ? 3 : 0) + (description != null ? 1 : 0);
        int ifdOffset = 8;
        int ifdSize = 2 + entries * 12 + 4;
        int extraStart = ifdOffset + ifdSize;
        ByteBuffer ex = ByteBuffer.allocate(4096).order(order);
        // BitsPerSample and SampleFormat arrays when samples > 2
        int bitsValue = bits;
        int formatValue = sampleFormat;
        if (samples > 2) {
            bitsValue = extraStart + ex.position();
            for (int i = 0; i < samples; i++) {
                ex.putShort((short) bits);
            }
            formatValue = extraStart + ex.position();
            for (int i = 0; i < samples; i++) {
                ex.putShort((short) sampleFormat);
            }
        }
        int xres = 0;
        int yres = 0;
        if (resolution != null) {
            xres = extraStart + ex.position();
            ex.putInt((int) Math.round(resolution[0] * 1000)).putInt(1000);
            yres = extraStart + ex.position();
            ex.putInt((int) Math.round(resolution[1] * 1000)).putInt(1000);
        }
        int desc = 0;
        byte[] d = description == null ? null : (description + "\0").getBytes(StandardCharsets.ISO_8859_1);
        if (d != null) {
            desc = extraStart + ex.position();
            ex.put(d);
        }
        while (ex.position() % 2 != 0) {
            ex.put((byte) 0);
        }
        int dataOffset = extraStart + ex.position();
        tags.add(new int[] {256, 4, 1, width});
        tags.add(new int[] {257, 4, 1, height});
        tags.add(new int[] {258, 3, samples, bitsValue});
        tags.add(new int[] {259, 3, 1, 1});
        tags.add(new int[] {262, 3, 1, photometric});
        if (description != null) {
            tags.add(new int[] {270, 2, d.length, desc});
        }
        tags.add(new int[] {273, 4, 1, dataOffset});
        tags.add(new int[] {277, 3, 1, samples});
        tags.add(new int[] {278, 4, 1, height});
        tags.add(new int[] {279, 4, 1, pixelData.length});
        if (resolution != null) {
            tags.add(new int[] {282, 5, 1, xres});
            tags.add(new int[] {283, 5, 1, yres});
        }
        tags.add(new int[] {284, 3, 1, 1});
        if (resolution != null) {
            tags.add(new int[] {296, 3, 1, resolutionUnit});
        }
        tags.add(new int[] {339, 3, samples, formatValue});
        ByteBuffer out = ByteBuffer.allocate(dataOffset + pixelData.length).order(order);
        out.put(order == ByteOrder.LITTLE_ENDIAN ? new byte[] {'I', 'I', 42, 0} : new byte[] {'M', 'M', 0, 42});
        out.putInt(ifdOffset);
        out.putShort((short) tags.size());
        for (int[] t : tags) {
            out.putShort((short) t[0]).putShort((short) t[1]).putInt(t[2]);
            boolean inline = t[1] == 3 && t[2] <= 2 || t[1] == 4 && t[2] == 1;
            if (inline && t[1] == 3) {
                out.putShort((short) t[3]).putShort((short) 0);
            } else {
                out.putInt(t[3]);
            }
        }
        out.putInt(0);
        out.position(extraStart);
        out.put(ex.array(), 0, ex.position());
        out.position(dataOffset);
        out.put(pixelData);
        return out.array();
    }

    private TinyTiff() {
    }
}
