package dev.medsam.io.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** The mangled-input check itself fails for each kind of misbehaving reader. */
class MangleSelfTest {

    @TempDir
    Path tmp;

    @Test
    void catchesEveryKindOfMisbehaviour() throws Exception {
        Path f = tmp.resolve("x.bin");
        byte[] small = new byte[100];
        Mangle.check(f, small, p -> { });
        Mangle.check(f, small, p -> {
            throw new IOException(p + ": bad");
        });
        assertThrows(AssertionError.class, () -> Mangle.check(f, small, p -> {
            throw new IllegalStateException("boom");
        }));
        assertThrows(AssertionError.class, () -> Mangle.check(f, small, p -> {
            throw new IOException("no file name here");
        }));
        assertThrows(AssertionError.class, () -> Mangle.check(f, small, p -> {
            byte[][] hog = new byte[4][];
            for (int i = 0; i < hog.length; i++) {
                hog[i] = new byte[64 << 20];
            }
        }));
    }
}
