package dev.medsam.benchmarks.support;

import dev.medsam.io.files.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Writes a {@link CtPhantom} as a DICOM CT series: one Part 10 file per slice, explicit VR little endian, 16-bit
 * signed pixels storing {@code HU + 1024} with Rescale Intercept -1024 (as many scanners do), and the geometry a
 * reader needs to stack the slices (Image Position / Orientation (Patient), Pixel Spacing). Only what the CT Image
 * IOD needs for reading is written; it is benchmark input, not a conformant archive object.
 *
 * <p>medsam-io's own test writer (TestDicom) is package-private in its tests and medsam-io publishes no test-jar,
 * hence this small writer.
 */
public final class DicomSeriesWriter {

    private static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
    private static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
    /** UIDs under the UUID-derived root 2.25 (ISO/IEC 9834-8), from a fixed number so the files are reproducible. */
    private static final String ROOT = "2.25.229870152401858431205136718413990771";
    private static final Set<String> LONG_LENGTH_VRS = Set.of("OB", "OW", "OF", "SQ", "UT", "UN");

    private DicomSeriesWriter() {
    }

    /**
     * Writes every slice of {@code phantom} to {@code folder} as {@code slice_NNN.dcm} (the folder must exist).
     * Each file is written completely or not at all ({@link AtomicFiles}).
     */
    public static void write(CtPhantom phantom, Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + " is not a folder");
        }
        for (int z = 0; z < phantom.slices(); z++) {
            Path file = folder.resolve(String.format(Locale.ROOT, "slice_%03d.dcm", z));
            byte[] content = slice(phantom, z);
            AtomicFiles.write(file, out -> out.write(content));
        }
    }

    private static byte[] slice(CtPhantom phantom, int z) {
        String sopInstance = ROOT + ".3." + (z + 1);
        Elements meta = new Elements()
                .raw(0x0002_0001, "OB", new byte[] {0, 1})
                .uid(0x0002_0002, CT_IMAGE_STORAGE)
                .uid(0x0002_0003, sopInstance)
                .uid(0x0002_0010, EXPLICIT_VR_LITTLE_ENDIAN)
                .uid(0x0002_0012, ROOT + ".9");
        byte[] metaBytes = meta.bytes();

        double[] s = CtPhantom.SPACING;
        short[] hu = phantom.sliceValues(z);
        byte[] pixels = new byte[2 * hu.length];
        for (int i = 0; i < hu.length; i++) {
            int stored = hu[i] + 1024;
            pixels[2 * i] = (byte) stored;
            pixels[2 * i + 1] = (byte) (stored >> 8);
        }
        Elements data = new Elements()
                .uid(0x0008_0016, CT_IMAGE_STORAGE)
                .uid(0x0008_0018, sopInstance)
                .text(0x0008_0060, "CS", "CT")
                .text(0x0010_0010, "PN", "Phantom^Benchmark")
                .text(0x0010_0020, "LO", "BENCH-0001")
                .text(0x0018_0050, "DS", ds(s[2]))
                .uid(0x0020_000D, ROOT + ".1")
                .uid(0x0020_000E, ROOT + ".2")
                .text(0x0020_0013, "IS", Integer.toString(z + 1))
                .text(0x0020_0032, "DS", ds(-200) + "\\" + ds(-200) + "\\" + ds(z * s[2]))
                .text(0x0020_0037, "DS", "1\\0\\0\\0\\1\\0")
                .us(0x0028_0002, 1)
                .text(0x0028_0004, "CS", "MONOCHROME2")
                .us(0x0028_0010, phantom.height())
                .us(0x0028_0011, phantom.width())
                .text(0x0028_0030, "DS", ds(s[1]) + "\\" + ds(s[0]))
                .us(0x0028_0100, 16)
                .us(0x0028_0101, 16)
                .us(0x0028_0102, 15)
                .us(0x0028_0103, 1)
                .text(0x0028_1052, "DS", "-1024")
                .text(0x0028_1053, "DS", "1")
                .raw(0x7FE0_0010, "OW", pixels);

        ByteArrayOutputStream out = new ByteArrayOutputStream(132 + metaBytes.length + 16 + pixels.length + 1024);
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new Elements().ul(0x0002_0000, metaBytes.length).bytes());
        out.writeBytes(metaBytes);
        out.writeBytes(data.bytes());
        return out.toByteArray();
    }

    private static String ds(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Explicit VR little-endian elements, in the order added (callers add them in ascending tag order). */
    private static final class Elements {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Elements raw(int tag, String vr, byte[] value) {
            byte[] v = value;
            if (v.length % 2 == 1) {
                v = java.util.Arrays.copyOf(v, v.length + 1);
                v[v.length - 1] = (byte) ("UI".equals(vr) || "OB".equals(vr) ? 0 : ' ');
            }
            le16(tag >>> 16);
            le16(tag & 0xFFFF);
            out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            if (LONG_LENGTH_VRS.contains(vr)) {
                le16(0);
                le32(v.length);
            } else {
                le16(v.length);
            }
            out.writeBytes(v);
            return this;
        }

        Elements text(int tag, String vr, String value) {
            return raw(tag, vr, value.getBytes(StandardCharsets.US_ASCII));
        }

        Elements uid(int tag, String uid) {
            return raw(tag, "UI", uid.getBytes(StandardCharsets.US_ASCII));
        }

        Elements us(int tag, int value) {
            return raw(tag, "US", new byte[] {(byte) value, (byte) (value >> 8)});
        }

        Elements ul(int tag, int value) {
            return raw(tag, "UL", new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)});
        }

        private void le16(int v) {
            out.write(v);
            out.write(v >>> 8);
        }

        private void le32(int v) {
            le16(v & 0xFFFF);
            le16(v >>> 16);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
