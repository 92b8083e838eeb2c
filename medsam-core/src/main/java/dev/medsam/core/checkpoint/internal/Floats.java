package dev.medsam.core.checkpoint.internal;

import dev.medsam.core.checkpoint.StoredType;
import dev.medsam.core.image.internal.HalfFloats;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/** Turns stored tensor bytes into float32 values. */
final class Floats {

    private Floats() {
    }

    /** Bytes per value of a stored type. */
    static int bytesPerValue(StoredType type) {
        switch (type) {
            case F32:
                return 4;
            case I64:
                return 8;
            default:
                return 2;
        }
    }

    /**
     * The values of a contiguous run of {@code bytes} (whose byte order is already set): a zero-copy view for
     * float32, a widened heap copy for float16 and bfloat16, a
     * converted heap copy for int64.
     */
    static FloatBuffer contiguous(ByteBuffer bytes, StoredType type) {
        switch (type) {
            case F32:
                return bytes.asFloatBuffer();
            case F16: {
                ShortBuffer in = bytes.asShortBuffer();
                float[] out = new float[in.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.toFloat(in.get(i));
                }
                return FloatBuffer.wrap(out);
            }
            case BF16: {
                ShortBuffer in = bytes.asShortBuffer();
                float[] out = new float[in.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.bfloat16ToFloat(in.get(i));
                }
                return FloatBuffer.wrap(out);
            }
            case I64: {
                LongBuffer in = bytes.asLongBuffer();
                float[] out = new float[in.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = in.get(i);
                }
                return FloatBuffer.wrap(out);
            }
            default:
                throw new AssertionError(type);
        }
    }

    /** Value {@code index} (in elements) of {@code bytes} stored as {@code type}, widened to float. */
    static float valueAt(ByteBuffer bytes, StoredType type, int index) {
        switch (type) {
            case F32:
                return bytes.getFloat(index * 4);
            case F16:
                return HalfFloats.toFloat(bytes.getShort(index * 2));
            case BF16:
                return HalfFloats.bfloat16ToFloat(bytes.getShort(index * 2));
            case I64:
                return bytes.getLong(index * 8);
            default:
                throw new AssertionError(type);
        }
    }
}
