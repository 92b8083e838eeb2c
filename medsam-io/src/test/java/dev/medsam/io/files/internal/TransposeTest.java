package dev.medsam.io.files.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TransposeTest {

    @Test
    void fortranOrderComesOutInCOrder() {
        // dims (3, 2) first axis fastest: storage 0 1 2 | 3 4 5 holds x = 0..2 of y = 0, then of y = 1
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transpose.fortranToC(ByteBuffer.wrap(new byte[] {0, 1, 2, 3, 4, 5}), new int[] {3, 2}, 1, out::write);
        assertArrayEquals(new byte[] {0, 3, 1, 4, 2, 5}, out.toByteArray());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void anEmptyArrayWithAHugeAxisFeedsNothingAndEnds() {
        // a mangled npy header, (2147483647, 0, 10, 4) in Fortran order, once made the block loop overflow and spin
        int[] calls = new int[1];
        Transpose.fortranToC(ByteBuffer.allocate(0), new int[] {Integer.MAX_VALUE, 0, 10, 4}, 4,
                (chunk, off, len) -> calls[0]++);
        assertEquals(0, calls[0]);
    }
}
