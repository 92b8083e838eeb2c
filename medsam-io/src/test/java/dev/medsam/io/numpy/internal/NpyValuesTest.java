package dev.medsam.io.numpy.internal;

import dev.medsam.io.numpy.NpyDtype;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NpyValuesTest {

    @Test
    void uint64IsRoundedToTheNearestDoubleTiesToEven() {
        Random random = new Random(7);
        long[] values = new long[2000];
        values[0] = -1L;                                 // 2^64 - 1
        values[1] = Long.MIN_VALUE;                      // 2^63
        values[2] = Long.MIN_VALUE + (1L << 10) + 1;     // just above a halfway point: rounds up
        values[3] = Long.MIN_VALUE + (1L << 10);         // exactly halfway: ties to even (down)
        values[4] = Long.MIN_VALUE + (3L << 10);         // exactly halfway: ties to even (up)
        for (int i = 5; i < values.length; i++) {
            values[i] = random.nextLong();
        }
        for (long v : values) {
            double exact = new BigInteger(Long.toUnsignedString(v)).doubleValue(); // correctly rounded, ties to even
            assertEquals(exact, NpyValues.unsignedToDouble(v), Long.toUnsignedString(v));
        }
        assertEquals(0x1p63 + 0x1p11, NpyValues.unsignedToDouble(values[2]));
    }

    @Test
    void everyTypeReadsAtItsOffsetInLittleEndianOrder() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 0xFE).putShort(2, (short) 0xFFFE).putInt(4, -2).putLong(8, -2L);
        assertEquals(1, NpyValues.get(NpyDtype.BOOL, b, 0));
        assertEquals(-2, NpyValues.get(NpyDtype.INT8, b, 0));
        assertEquals(254, NpyValues.get(NpyDtype.UINT8, b, 0));
        assertEquals(-2, NpyValues.get(NpyDtype.INT16, b, 2));
        assertEquals(65534, NpyValues.get(NpyDtype.UINT16, b, 2));
        assertEquals(-2, NpyValues.get(NpyDtype.INT32, b, 4));
        assertEquals(4294967294.0, NpyValues.get(NpyDtype.UINT32, b, 4));
        assertEquals(-2, NpyValues.get(NpyDtype.INT64, b, 8));
        assertEquals(0x1p64, NpyValues.get(NpyDtype.UINT64, b, 8));
        b.putShort(0, (short) 0x3C00).putFloat(4, 1.5f).putDouble(8, -0.25);
        assertEquals(1.0, NpyValues.get(NpyDtype.FLOAT16, b, 0));
        assertEquals(1.5, NpyValues.get(NpyDtype.FLOAT32, b, 4));
        assertEquals(-0.25, NpyValues.get(NpyDtype.FLOAT64, b, 8));
        assertEquals(0, b.position(), "reads are absolute");
    }
}
