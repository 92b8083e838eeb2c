package dev.medsam.core.testing;

import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ModelPrompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SAM parity fixtures ({@code fixtures/sam-parity/} of the shared material) as backends see them: float arrays
 * as {@link FloatTensor}s and the tiny cases' prompts as {@link ModelPrompt}s in the 1024 model frame. Every method
 * skips the calling test when the shared fixtures are absent ({@link Fixtures#require(String)}).
 */
public final class SamParity {

    /** The five prompt cases of the tiny fixtures (folders under {@code tiny/}). */
    public static final List<String> TINY_CASES = List.of("box", "box3", "points2", "point_box", "mask_box");

    private SamParity() {
    }

    /** A float32 fixture array, e.g. {@code tiny/image_embeddings.npy}. */
    public static FloatTensor tensor(String name) {
        FixtureArray a = FixtureArray.read(Fixtures.samParity(name));
        return FloatTensor.of(a.shape(), a.floats());
    }

    /** The prompts of a tiny case, one per batch element, from its {@code *_1024.npy} files. */
    public static List<ModelPrompt> prompts(String promptCase) {
        String dir = "tiny/" + promptCase + "/";
        boolean hasBox = !promptCase.equals("points2");
        boolean hasPoints = promptCase.equals("points2") || promptCase.equals("point_box");
        FixtureArray boxes = hasBox ? FixtureArray.read(Fixtures.samParity(dir + "boxes_1024.npy")) : null;
        FixtureArray points = hasPoints ? FixtureArray.read(Fixtures.samParity(dir + "points_1024.npy")) : null;
        FixtureArray labels = hasPoints ? FixtureArray.read(Fixtures.samParity(dir + "point_labels.npy")) : null;
        FloatTensor mask = promptCase.equals("mask_box")
                ? FloatTensor.of(new int[] {256, 256}, FixtureArray.read(Fixtures.samParity(dir + "mask_input.npy")).floats())
                : null;
        int batch = boxes != null ? boxes.shape()[0] : points.shape()[0];
        List<ModelPrompt> out = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            ModelPrompt.Builder p = ModelPrompt.builder();
            if (points != null) {
                int n = points.shape()[1];
                p.points(Arrays.copyOfRange(points.floats(), i * n * 2, (i + 1) * n * 2),
                        Arrays.copyOfRange(labels.ints(), i * n, (i + 1) * n));
            }
            if (boxes != null) {
                p.box(Arrays.copyOfRange(boxes.floats(), i * 4, i * 4 + 4));
            }
            if (mask != null) {
                p.mask(mask);
            }
            out.add(p.build());
        }
        return out;
    }

    /** {@code one} (batch 1) repeated {@code batch} times along axis 0. */
    public static FloatTensor repeat(FloatTensor one, int batch) {
        float[] v = one.toArray();
        float[] out = new float[v.length * batch];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(v, 0, out, i * v.length, v.length);
        }
        int[] shape = one.shape();
        shape[0] = batch;
        return FloatTensor.wrap(shape, out);
    }

    /**
     * Compares within an absolute tolerance and prints the measured error, so that the build log holds the parity
     * figures the tolerances are set from ({@code parity <what> max|err| <e> (tol <t>)}).
     */
    public static void check(String what, FloatTensor expected, FloatTensor actual, double tolerance) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + ", expected "
                    + Arrays.toString(expected.shape()));
        }
        double err = Tolerance.maxAbsDiff(expected.toArray(), actual.toArray());
        System.out.printf("parity %-40s max|err| %.3g (tol %.1e)%n", what, err, tolerance);
        Tolerance.assertClose(what, expected.toArray(), actual.toArray(), tolerance);
    }
}
