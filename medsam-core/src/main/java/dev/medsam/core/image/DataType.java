package dev.medsam.core.image;

import java.util.Locale;

/**
 * How voxel values are stored. Values are kept in their stored type (a 512x512x600 int16 CT stays 300 MB);
 * {@link MedicalImage#get(long)} reads one as a double, {@link MedicalImage#scaled(long)} applies the rescale.
 */
public enum DataType {
    UINT8(1, false, false),
    INT8(1, true, false),
    UINT16(2, false, false),
    INT16(2, true, false),
    UINT32(4, false, false),
    INT32(4, true, false),
    UINT64(8, false, false),
    INT64(8, true, false),
    /** IEEE half precision (NumPy {@code float16}). */
    FLOAT16(2, true, true),
    FLOAT32(4, true, true),
    FLOAT64(8, true, true);

    private final int bytes;
    private final boolean signed;
    private final boolean floatingPoint;

    DataType(int bytes, boolean signed, boolean floatingPoint) {
        this.bytes = bytes;
        this.signed = signed;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per value. */
    public int bytes() {
        return bytes;
    }

    public boolean isSigned() {
        return signed;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** NumPy's name without byte order: {@code uint8}, {@code int16}, {@code float32}, ... */
    public String numpyName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Smallest value the type holds (for integer types). */
    public double minValue() {
        return switch (this) {
            case UINT8, UINT16, UINT32, UINT64 -> 0;
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case INT64 -> Long.MIN_VALUE;
            case FLOAT16 -> -65504;
            case FLOAT32 -> -Float.MAX_VALUE;
            case FLOAT64 -> -Double.MAX_VALUE;
        };
    }

    /** Largest value the type holds. */
    public double maxValue() {
        return switch (this) {
            case UINT8 -> 255;
            case INT8 -> Byte.MAX_VALUE;
            case UINT16 -> 65535;
            case INT16 -> Short.MAX_VALUE;
            case UINT32 -> 4294967295.0;
            case INT32 -> Integer.MAX_VALUE;
            case UINT64 -> 18446744073709551615.0;
            case INT64 -> Long.MAX_VALUE;
            case FLOAT16 -> 65504;
            case FLOAT32 -> Float.MAX_VALUE;
            case FLOAT64 -> Double.MAX_VALUE;
        };
    }
}
