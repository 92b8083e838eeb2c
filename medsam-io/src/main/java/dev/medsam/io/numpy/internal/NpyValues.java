package dev.medsam.io.numpy.internal;

import dev.medsam.core.image.internal.HalfFloats;
import dev.medsam.io.numpy.NpyDtype;

import java.nio.ByteBuffer;

/** Elements of NumPy data read as double, as NumPy's {@code astype(np.float64)} converts them. */
public final class NpyValues {

    private NpyValues() {
    }

    /**
     * The element of type {@code type} at byte {@code offset} of a little-endian buffer (absolute; the buffer's
     * position does not move): bool as 0/1, uint64 rounded to the nearest double, float16 exactly.
     */
    public static double get(NpyDtype type, ByteBuffer littleEndian, int offset) {
        return switch (type) {
            case BOOL -> littleEndian.get(offset) != 0 ? 1 : 0;
            case INT8 -> littleEndian.get(offset);
            case UINT8 -> littleEndian.get(offset) & 0xFF;
            case INT16 -> littleEndian.getShort(offset);
            case UINT16 -> littleEndian.getShort(offset) & 0xFFFF;
            case INT32 -> littleEndian.getInt(offset);
            case UINT32 -> littleEndian.getInt(offset) & 0xFFFFFFFFL;
            case INT64 -> littleEndian.getLong(offset);
            case UINT64 -> unsignedToDouble(littleEndian.getLong(offset));
            case FLOAT16 -> HalfFloats.toFloat(littleEndian.getShort(offset));
            case FLOAT32 -> littleEndian.getFloat(offset);
            case FLOAT64 -> littleEndian.getDouble(offset);
        };
    }

    /** An unsigned 64-bit value as the nearest double (ties to even), as NumPy's uint64 to float64 cast. */
    public static double unsignedToDouble(long v) {
        if (v >= 0) {
            return v;
        }
        // halve keeping the lost bit as a sticky bit (so the one rounding below is the right one), convert, double
        return ((v >>> 1) | (v & 1)) * 2.0;
    }
}
