package dev.medsam.core.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reader for the parity fixtures' .npy files only (format 1.0, little-endian, C order, float32 / uint8 /
 * int32 / float64 / int16), so that core's tests need not depend on medsam-io. Anything else fails the test.
 * Product code reads NumPy files with medsam-io's reader.
 */
public record FixtureArray(String dtype, int[] shape, ByteBuffer data) {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    public static FixtureArray read(Path path) {
        try {
            byte[] bytes = Files.readAllBytes(path);
            ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (bytes.length < 10 || bytes[0] != (byte) 0x93 || bytes[1] != 'N' || bytes[6] != 1) {
                throw new AssertionError(path + ": not a version 1.x .npy file");
            }
            int headerLen = bb.getShort(8) & 0xFFFF;
            String header = new String(bytes, 10, headerLen, StandardCharsets.ISO_8859_1);
            if (header.contains("'fortran_order': True")) {
                throw new AssertionError(path + ": Fortran order is not used by fixtures");
            }
            Matcher d = DESCR.matcher(header);
            Matcher s = SHAPE.matcher(header);
            if (!d.find() || !s.find()) {
                throw new AssertionError(path + ": unreadable header " + header);
            }
            String descr = d.group(1);
            String dtype = switch (descr) {
                case "<f4" -> "float32";
                case "<f8" -> "float64";
                case "|u1" -> "uint8";
                case "<i4" -> "int32";
                case "<i2" -> "int16";
                default -> throw new AssertionError(path + ": dtype " + descr + " is not a fixture dtype");
            };
            int[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(t -> !t.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
            ByteBuffer data = ByteBuffer.wrap(bytes, 10 + headerLen, bytes.length - 10 - headerLen).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            return new FixtureArray(dtype, shape, data);
        } catch (IOException e) {
            throw new AssertionError("cannot read fixture " + path + ": " + e, e);
        }
    }

    public long size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public float[] floats() {
        require("float32");
        float[] out = new float[(int) size()];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    public double[] doubles() {
        require("float64");
        double[] out = new double[(int) size()];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }

    public byte[] bytes() {
        require("uint8");
        byte[] out = new byte[(int) size()];
        data.duplicate().get(out);
        return out;
    }

    public int[] ints() {
        require("int32");
        int[] out = new int[(int) size()];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    public short[] shorts() {
        require("int16");
        short[] out = new short[(int) size()];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    private void require(String wanted) {
        if (!dtype.equals(wanted)) {
            throw new AssertionError("fixture holds " + dtype + ", not " + wanted);
        }
    }
}
