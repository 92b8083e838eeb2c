package dev.medsam.core.pipeline.internal;

import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SplineResizeTest {

    static byte[][] planes(byte[] hwc, int pixels, int channels) {
        byte[][] p = new byte[channels][pixels];
        for (int i = 0; i < pixels; i++) {
            for (int c = 0; c < channels; c++) {
                p[c][i] = hwc[i * channels + c];
            }
        }
        return p;
    }

    static int mismatches(byte[][] actual, byte[] expectedHwc) {
        int channels = actual.length;
        int bad = 0;
        for (int i = 0; i < actual[0].length; i++) {
            for (int c = 0; c < channels; c++) {
                if (actual[c][i] != expectedHwc[i * channels + c]) {
                    bad++;
                }
            }
        }
        return bad;
    }

    @Test
    void enlargesTheDemoSliceExactly() {
        FixtureArray in = FixtureArray.read(Fixtures.samParity("tiny/image_orig_u8.npy"));
        FixtureArray expected = FixtureArray.read(Fixtures.samParity("tiny/image_1024_u8.npy"));
        byte[][] p = planes(in.bytes(), 512 * 512, 3);
        byte[][] out = SplineResize.resize(p, false, 512, 512, 1024, 1024);
        assertEquals(0, mismatches(out, expected.bytes()), "mismatching values (RGB path)");
        byte[][] grey = SplineResize.resize(new byte[][] {p[0]}, true, 512, 512, 1024, 1024);
        assertEquals(0, mismatches(grey, expected.bytes()), "mismatching values (grey path)");
    }

    @Test
    void shrinksTheFundusExactly() {
        FixtureArray in = FixtureArray.read(Fixtures.require("fixtures/preprocess/fundus_1600x1200_u8.npy"));
        FixtureArray expected = FixtureArray.read(Fixtures.require("fixtures/preprocess/fundus_resized_1024_u8.npy"));
        byte[][] p = planes(in.bytes(), 1600 * 1200, 3);
        byte[][] out = SplineResize.resize(p, false, 1600, 1200, 1024, 1024);
        assertEquals(0, mismatches(out, expected.bytes()), "mismatching values");
    }

    /**
     * Sizes around the fixtures' (odd, tiny, one row, non-square, shrinking one axis while enlarging the other,
     * shrinking both with Gaussian radii up to 6, already 1024x1024) against SciPy's output for the same generated input, as SHA-256 of the H x W x 3
     * bytes (see resize_oracle.py beside this class for how they were made). Grey cases go through the
     * one-plane path, as MedSAM's grey-to-RGB repeat.
     */
    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({
        "53, 37, 3, cc814a8f20f8a182dec47f99dffbe983cd7fa001d97ff7f88371ad04d14cdd8c",
        "1, 1, 1, c22169f59c9c66383432fc153e87bece6094f740b07a8e8ba8727993ba81f3c6",
        "7, 1, 1, 7a79cad169f7c66418306ff4d76d033c88b52d5eac7a04719b050ed1ca025a96",
        "2, 2, 1, 73d9de07a0d9656456dcaa66f0e8bd289ed84dc928808ea8d58fd1e7c98a4e6a",
        "2000, 300, 1, 66259bf5fbe9387d2c8e903113b412986a159a66462ecc97f1bcdc51408347e0",
        "1025, 1023, 1, 6576173b369d3d8a9f2151da6e933647a311c10d18f8896f0d42725e94af150a",
        "1024, 1024, 1, bc7ff95a56634883776e989da49258efd40d3cf5d39e02c746f11810997a0e92",
        "640, 480, 3, 1398c54975ab55a80269ffa5510a0e90867f371f787879de67a50db7c0cb52f4",
        "300, 2000, 1, c331b432759a2a06d4f6f18c2e2f7014fc0d8c67f5d09d492736e954ef37ff64",
        "1500, 1100, 3, f5144e8b2d3043469d599120e76b0e55d49096cacd24c39f703aa810976eb85b",
        "2500, 2100, 1, 950d088f836918a3d1d627e27d8b84579ccea1e41f3b8742e12d61abeef7b475",
        "4096, 4096, 1, a3f7f43586fc9ddc5d25e07f349a35d3ebf273317b87f3dbccc055da804596a4",
        "1920, 1080, 3, 88c41540b06a80ac2da449e2e491b964d925c59e1d81e7ed1867bdaa8721addc",
        // NumPy's SIMD exp gives 2 of the 3 Gaussian weights of both axes one ulp away from StrictMath.exp here
        "1537, 1604, 1, 613fffed860579ebbd3f7e77b88dd4ba7df44e32178517c32d11d7efa0788070",
    })
    void matchesScipyOnGeneratedImages(int width, int height, int channels, String sha256) {
        byte[][] planes = new byte[channels][];
        for (int k = 0; k < channels; k++) {
            planes[k] = generated(width, height, 17 + k + width, 100 + k);
        }
        byte[][] out = SplineResize.resize(planes, channels == 1, width, height, 1024, 1024);
        byte[] hwc = new byte[1024 * 1024 * 3];
        for (int i = 0; i < 1024 * 1024; i++) {
            for (int k = 0; k < 3; k++) {
                hwc[i * 3 + k] = out[k][i];
            }
        }
        assertEquals(sha256, sha256(hwc), "resize of the generated " + width + "x" + height + "x" + channels
                + " image differs from SciPy's");
    }

    /** Pseudo-random bytes (64-bit LCG) with a flat rectangle of {@code flatValue}: flat areas are where
     * values land within an ulp of an integer and the last bit decides the uint8 result. */
    static byte[] generated(int width, int height, long seed, int flatValue) {
        byte[] b = new byte[width * height];
        long s = seed;
        for (int i = 0; i < b.length; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            b[i] = (byte) ((s >>> 33) % 256);
        }
        for (int y = height / 4; y < height / 2; y++) {
            for (int x = width / 4; x < (3 * width) / 4; x++) {
                b[y * width + x] = (byte) flatValue;
            }
        }
        return b;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
