package dev.medsam.io.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void aReaderThatHangsFailsTheCheckAndTheNextCheckGetsAFreshThread() throws Exception {
        Path f = tmp.resolve("y.bin");
        byte[] small = new byte[10];
        CountDownLatch never = new CountDownLatch(1);
        AssertionError hang = assertThrows(AssertionError.class, () -> Mangle.check(f, small, p -> {
            while (true) {
                never.await(); // only interruption ends it: the check must give up and cancel it
            }
        }, Duration.ofMillis(200)));
        assertTrue(hang.getMessage().contains("200 ms"), hang.getMessage());
        Mangle.check(f, small, p -> { });
    }
}
