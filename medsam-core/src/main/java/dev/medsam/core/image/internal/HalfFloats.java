package dev.medsam.core.image.internal;

/**
 * IEEE 754 half precision and bfloat16 to single precision, exactly (every such value is a float value).
 * Java 17 has no Float.float16ToFloat.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** The float bits of the half value {@code h}. */
    public static int toFloatBits(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return sign | 0x7F800000 | (mantissa << 13); // infinity or NaN
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return sign; // signed zero
            }
            // subnormal half: normalise into a float
            int e = -1;
            do {
                mantissa <<= 1;
                e++;
            } while ((mantissa & 0x400) == 0);
            mantissa &= 0x3FF;
            return sign | ((127 - 15 - e) << 23) | (mantissa << 13);
        }
        return sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
    }

    /** The float value of the half value {@code h}. */
    public static float toFloat(short h) {
        return Float.intBitsToFloat(toFloatBits(h));
    }

    /** The float value of the bfloat16 value {@code b} (the upper 16 bits of a float). */
    public static float bfloat16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }
}
