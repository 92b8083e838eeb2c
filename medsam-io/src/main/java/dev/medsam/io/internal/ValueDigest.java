package dev.medsam.io.internal;

import dev.medsam.core.image.Rescale;
import dev.medsam.io.numpy.NpyDtype;
import dev.medsam.io.numpy.internal.NpyValues;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of stored values (little-endian bytes, in the order they are fed) together with the count, minimum,
 * maximum and mean of the rescaled values ({@code stored * slope + intercept} in double). NaN values are
 * ignored by min and max and make the mean NaN, as NumPy's {@code nanmin}/{@code nanmax} and {@code mean}.
 * The mean uses Neumaier's compensated sum, so it is within an ulp or two of the exact mean for any order of
 * values.
 */
public final class ValueDigest {

    /** What the digest found. Min, max and mean are NaN for an empty array (or all-NaN values). */
    public record Result(long count, double min, double max, double mean, String sha256) {
    }

    private final NpyDtype type;
    private final int width;
    private final Rescale rescale;
    private final MessageDigest sha;
    private long count;
    private double min = Double.NaN;
    private double max = Double.NaN;
    private double sum;
    private double compensation;
    private boolean sawNaN;

    public ValueDigest(NpyDtype type, Rescale rescale) {
        this.type = type;
        this.width = type.bytes();
        this.rescale = rescale;
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Feeds whole little-endian values; {@code length} must be a multiple of the value width. */
    public void update(byte[] littleEndian, int offset, int length) {
        if (length % width != 0) {
            throw new IllegalArgumentException(length + " bytes is not a whole number of " + width + "-byte values");
        }
        sha.update(littleEndian, offset, length);
        ByteBuffer bb = ByteBuffer.wrap(littleEndian, offset, length).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = offset, end = offset + length; p < end; p += width) {
            accept(rescale.apply(NpyValues.get(type, bb, p)));
        }
    }

    /** Feeds the remaining bytes of a little-endian buffer (without moving its position). */
    public void update(ByteBuffer littleEndian) {
        ByteBuffer src = littleEndian.duplicate();
        byte[] chunk = new byte[Math.max(width, (1 << 16) / width * width)];
        while (src.remaining() > 0) {
            int n = Math.min(chunk.length, src.remaining());
            src.get(chunk, 0, n);
            update(chunk, 0, n);
        }
    }

    private void accept(double v) {
        count++;
        if (Double.isNaN(v)) {
            sawNaN = true;
            return;
        }
        if (Double.isNaN(min) || v < min) {
            min = v;
        }
        if (Double.isNaN(max) || v > max) {
            max = v;
        }
        double t = sum + v;
        if (Math.abs(sum) >= Math.abs(v)) {
            compensation += (sum - t) + v;
        } else {
            compensation += (v - t) + sum;
        }
        sum = t;
    }

    public Result finish() {
        double mean = count == 0 || sawNaN ? Double.NaN : (sum + compensation) / count;
        if (!sawNaN && count > 0 && Double.isInfinite(sum)) {
            mean = sum; // the compensation is NaN (inf - inf) once the sum overflows
        }
        return new Result(count, min, max, mean, HexFormat.of().formatHex(sha.digest()));
    }
}
