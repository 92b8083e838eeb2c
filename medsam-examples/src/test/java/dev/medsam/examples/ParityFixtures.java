package dev.medsam.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.Box;
import dev.medsam.core.MaskLogits;
import dev.medsam.core.MaskPrompt;
import dev.medsam.core.Point;
import dev.medsam.core.PointLabel;
import dev.medsam.core.Prompt;
import dev.medsam.core.Prompts;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.testing.Tolerance;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The SAM parity fixtures as the public API sees them: arrays read with medsam-io's NPY reader, prompts in
 * original pixels from manifest.json (what the reference was given), and the comparisons at about 3x the
 * measured errors. Every comparison prints its measured error, so that the build log holds the parity numbers.
 */
public final class ParityFixtures {

    /** The five prompt cases of the tiny fixtures. */
    public static final List<String> TINY_CASES = List.of("box", "box3", "points2", "point_box", "mask_box");

    /**
     * Absolute tolerances, about 3x the largest error measured through the session over every tiny case (x86-64,
     * TensorFlow 1.1.0, 2 threads), inside the fixture README's (1e-4, 1e-4, 1e-5, 1e-5): embedding 3.73e-6,
     * low-resolution logits 5.72e-6 (box, multimask), IoU 8.94e-7, probabilities at the original size 6.56e-7.
     */
    public static final double EMBEDDING_TOL = 1.2e-5;
    public static final double LOGITS_TOL = 1.8e-5;
    public static final double IOU_TOL = 3e-6;
    public static final double PROB_TOL = 2e-6;
    /** Masks may differ only where the reference probability is this close to 0.5. */
    public static final double MASK_MARGIN = 1e-4;

    private ParityFixtures() {
    }

    /** A fixture file, e.g. {@code tiny/box/lowres_single.npy}. */
    public static Path file(String name) {
        return Fixtures.samParity(name);
    }

    /** A fixture array read with medsam-io. */
    public static NpyArray array(String name) {
        try {
            return Npy.read(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static float[] floats(String name) {
        return array(name).toFloatArray();
    }

    /** tiny/image_orig_u8.npy, (512, 512, 3) uint8, as the RGB image it is. */
    public static MedicalImage tinyImage() throws IOException {
        MedicalImage image = MedicalImages.read(file("tiny/image_orig_u8.npy")).image();
        assertArrayEquals(new int[] {512, 512}, image.dims());
        assertEquals(3, image.components());
        return image;
    }

    /** The prompts of a fixture case (one per batch element), in original pixels, as manifest.json lists them. */
    public static List<Prompts> prompts(String caseName, String promptCase) throws IOException {
        JsonNode c = new ObjectMapper().readTree(file("manifest.json").toFile()).get("cases").get(caseName);
        JsonNode p = caseName.equals("tiny") ? c.get("prompts").get(promptCase) : c.get("prompt");
        JsonNode boxes = p.get("boxes_orig");
        JsonNode points = p.get("points_orig");
        JsonNode labels = p.get("labels");
        int batch = boxes != null ? boxes.size() : points.size();
        List<Prompts> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            List<Prompt> parts = new ArrayList<>();
            if (boxes != null) {
                JsonNode box = boxes.get(b);
                parts.add(new Box(box.get(0).asDouble(), box.get(1).asDouble(), box.get(2).asDouble(),
                        box.get(3).asDouble()));
            }
            if (points != null) {
                for (int i = 0; i < points.get(b).size(); i++) {
                    JsonNode xy = points.get(b).get(i);
                    parts.add(new Point(xy.get(0).asDouble(), xy.get(1).asDouble(),
                            PointLabel.fromSamLabel(labels.get(b).get(i).asInt())));
                }
            }
            if (promptCase.equals("mask_box")) {
                parts.add(new MaskPrompt(MaskLogits.of(256, 256, floats("tiny/mask_box/mask_input.npy"))));
            }
            out.add(Prompts.of(parts));
        }
        return out;
    }

    /** Asserts closeness, printing the measured error; returns it. */
    public static double check(String what, float[] expected, float[] actual, double tolerance) {
        double err = Tolerance.maxAbsDiff(expected, actual);
        System.out.printf("parity %-48s max|err| %.3g (tol %.0e)%n", what, err, tolerance);
        Tolerance.assertClose(what, expected, actual, tolerance);
        return err;
    }

    /**
     * Asserts that a binary mask equals the reference except where the reference probability is within
     * {@link #MASK_MARGIN} of 0.5; returns the number of such (excused) differing pixels.
     */
    public static int checkMask(String what, byte[] expected, byte[] actual, float[] referenceProb) {
        assertEquals(expected.length, actual.length, what + ": pixel count");
        int excused = 0;
        for (int i = 0; i < expected.length; i++) {
            if ((expected[i] != 0) != (actual[i] != 0)) {
                if (Math.abs(referenceProb[i] - 0.5) < MASK_MARGIN) {
                    excused++;
                } else {
                    throw new AssertionError(what + ": pixel " + i + " (row " + i / 512 + ") is " + actual[i]
                            + ", the reference " + expected[i] + " with probability " + referenceProb[i]);
                }
            }
        }
        System.out.printf("parity %-48s %d differing pixels, all within %.0e of p = 0.5%n", what, excused,
                MASK_MARGIN);
        return excused;
    }

    /** Values {@code [from, from + length)} of a flat array. */
    public static float[] part(float[] all, int from, int length) {
        return Arrays.copyOfRange(all, from, from + length);
    }

    public static byte[] part(byte[] all, int from, int length) {
        return Arrays.copyOfRange(all, from, from + length);
    }

    /** The bytes of a uint8 array. */
    public static byte[] bytes(NpyArray a) {
        byte[] out = new byte[Math.toIntExact(a.size())];
        a.data().get(out);
        return out;
    }
}
