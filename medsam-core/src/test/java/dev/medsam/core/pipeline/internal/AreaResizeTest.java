package dev.medsam.core.pipeline.internal;

import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** OpenCV INTER_AREA against the LiteMedSAM reference's own resizes (cv2 4.6), which must match exactly. */
class AreaResizeTest {

    private static void matchesReference(String caseDir) {
        FixtureArray orig = FixtureArray.read(Fixtures.require("fixtures/litemedsam-parity/" + caseDir
                + "/image_orig_u8.npy"));
        FixtureArray resized = FixtureArray.read(Fixtures.require("fixtures/litemedsam-parity/" + caseDir
                + "/image_256_u8.npy"));
        int h = orig.shape()[0];
        int w = orig.shape()[1];
        int oh = resized.shape()[0];
        int ow = resized.shape()[1];
        byte[] out = AreaResize.resize(orig.bytes(), w, h, 3, ow, oh);
        byte[] expected = resized.bytes();
        int differing = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != out[i]) {
                differing++;
                first = first < 0 ? i : first;
            }
        }
        assertEquals(0, differing, caseDir + ": " + differing + " samples differ, first at " + first
                + (first < 0 ? "" : " (" + (out[first] & 0xFF) + " vs " + (expected[first] & 0xFF) + ")"));
    }

    @Test
    void wholeFactorTwoMatchesOpenCv() {
        matchesReference("ct_wide"); // 512x320 -> 256x160
    }

    @Test
    void nonIntegerShrinkMatchesOpenCv() {
        matchesReference("fundus_rgb"); // 701x467 -> 256x171
    }

    /** The cases of src/test/python/make_area_resize_cases.py (Debian's OpenCV 4.6), enlarging ones included. */
    @TestFactory
    Stream<DynamicTest> generatedCasesMatchOpenCv() throws URISyntaxException, IOException {
        Path dir = Path.of(AreaResizeTest.class.getResource("/area-resize").toURI());
        List<Path> inputs;
        try (Stream<Path> files = Files.list(dir)) {
            inputs = files.filter(p -> p.getFileName().toString().endsWith("_in.npy")).sorted().toList();
        }
        assertEquals(14, inputs.size(), "cases in " + dir);
        return inputs.stream().map(in -> DynamicTest.dynamicTest(in.getFileName().toString(), () -> {
            String name = in.getFileName().toString().replace("_in.npy", "");
            FixtureArray src = FixtureArray.read(in);
            FixtureArray expected = FixtureArray.read(dir.resolve(name + "_out.npy"));
            int[] s = src.shape();
            int[] o = expected.shape();
            byte[] out = AreaResize.resize(src.bytes(), s[1], s[0], s[2], o[1], o[0]);
            byte[] want = expected.bytes();
            for (int i = 0; i < want.length; i++) {
                if (want[i] != out[i]) {
                    int c = i % o[2];
                    int x = i / o[2] % o[1];
                    int y = i / o[2] / o[1];
                    throw new AssertionError(name + ": (" + y + ", " + x + ", " + c + ") is " + (out[i] & 0xFF)
                            + ", OpenCV gives " + (want[i] & 0xFF));
                }
            }
        }));
    }

    @Test
    void sameSizeIsACopy() {
        byte[] in = {1, 2, 3, 4, 5, 6};
        byte[] out = AreaResize.resize(in, 2, 3, 1, 2, 3);
        assertArrayEquals(in, out);
        out[0] = 9;
        assertEquals(1, in[0]);
    }

    @Test
    void badArgumentsNameTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AreaResize.resize(new byte[5], 2, 3, 1, 4, 4));
        assertEquals("image of 2x3x1 needs 6 samples, got 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AreaResize.resize(new byte[6], 2, 3, 1, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> AreaResize.resize(new byte[6], 2, 3, 5, 1, 1));
    }
}
