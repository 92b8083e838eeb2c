package dev.medsam.tensorflow.internal;

import dev.medsam.core.metrics.LabelVolume;
import dev.medsam.core.metrics.SegmentationMetrics;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.testing.SamParity;
import dev.medsam.core.testing.Tolerance;
import dev.medsam.core.testing.conformance.ParityConformance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The opt-in bfloat16 mode is an approximation: on the tiny model its embedding stays within about 1% of the
 * values' range of the reference (measured 0.037 with values up to 4.6; bound 0.1, under 3x), and the decoder,
 * which stays float32, still matches on the reference embedding at the float32 tolerance (measured 3.2e-6).
 *
 * <p>Both tests use one bf16 model and its one embedding of the fixture input: what they check is what that model
 * computes, not how it is loaded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Bf16Test {

    private static final BackendOptions BF16 = BackendOptions.builder().intraOpThreads(2).extra("precision", "bf16").build();

    /** The bf16 model both tests use (they only use it); loading it costs about a second. */
    private TfBackend bf16Backend;
    private TfSamModel bf16;
    private ImageEmbedding bf16Embedding;

    @BeforeAll
    void setUp() {
        if (Fixtures.willSkip()) {
            return; // every test needs the fixture input and skips with the reason; no model is needed then
        }
        bf16Backend = TfBackend.open("tensorflow", BF16);
        bf16 = (TfSamModel) bf16Backend.load(TinyModel.architecture(), TinyModel.weights());
    }

    @AfterAll
    void tearDown() {
        if (bf16Backend != null) {
            bf16Backend.close();
        }
    }

    /** The bf16 model's embedding of the fixture input, encoded once (skips the caller without the fixtures). */
    private synchronized ImageEmbedding bf16Embedding() {
        if (bf16Embedding == null) {
            ImageTensor input = TinyModel.input(); // first: skips without the fixtures, before the model is used
            bf16Embedding = bf16.imageEncoder().encode(input);
        }
        return bf16Embedding;
    }

    @Test
    void bf16EncoderStaysCloseToTheReference() {
        FloatTensor expected = SamParity.tensor("tiny/image_embeddings.npy");
        ImageEmbedding e = bf16Embedding();
        double err = Tolerance.maxAbsDiff(expected.toArray(), e.tensor().toArray());
        System.out.printf("bf16 tiny embedding max|err| %.4g%n", err);
        assertTrue(err < 0.1, "bf16 embedding error " + err);
        assertTrue(err > 1e-4, "bf16 mode should not be float32 (error " + err + ")");
        MaskPrediction p = bf16.predict(ImageEmbedding.of(expected), SamParity.prompts("box"), false);
        SamParity.check("bf16 box/lowres_single", SamParity.tensor("tiny/box/lowres_single.npy"), p.logits(),
                ParityConformance.LOGITS_TOL);
        assertArrayEquals(new int[] {1, 1}, p.iou().shape());
    }

    /**
     * Issue 9's accuracy bar for the reduced-precision mode: masks from a bf16 encoder against masks from the
     * fp32 encoder, each run end to end (encoder and decoder) on the same input, Dice of the 256x256 binary masks
     * (logits above 0) at least 0.99 for every prompt of the parity cases.
     */
    @Test
    void bf16MasksAgreeWithFp32Masks() {
        List<String> cases = List.of("box", "box3", "point_box");
        Map<String, MaskPrediction> fp32;
        try (TfBackend backend = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
             TfSamModel model = (TfSamModel) backend.load(TinyModel.architecture(), TinyModel.weights())) {
            fp32 = predictAll(model, model.imageEncoder().encode(TinyModel.input()), cases);
        }
        // end to end on the bf16 model as well: its own embedding of the same input, then its decoder
        Map<String, MaskPrediction> bf16 = predictAll(this.bf16, bf16Embedding(), cases);
        for (String c : cases) {
            float[] a = fp32.get(c).logits().toArray();
            float[] b = bf16.get(c).logits().toArray();
            int perMask = 256 * 256;
            for (int m = 0; m < a.length / perMask; m++) {
                LabelVolume maskA = positive(a, m * perMask);
                LabelVolume maskB = positive(b, m * perMask);
                assertTrue(maskA.maxLabel() > 0, c + " mask " + m + ": the fp32 mask is empty, so Dice would say nothing");
                double dice = SegmentationMetrics.dice(maskA, maskB, 1);
                System.out.printf("bf16 vs fp32 %s mask %d: Dice %.5f%n", c, m, dice);
                assertTrue(dice >= 0.99, c + " mask " + m + ": Dice " + dice + " below 0.99");
            }
        }
    }

    /** The 256x256 mask whose logits start at {@code from}: label 1 where the logit is above 0. */
    private static LabelVolume positive(float[] logits, int from) {
        byte[] mask = new byte[256 * 256];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = (byte) (logits[from + i] > 0 ? 1 : 0);
        }
        return LabelVolume.ofUnsignedBytes(new int[] {256, 256}, new double[] {1, 1}, mask);
    }

    /** Each case's prompts decoded by {@code model} on {@code e}, that model's embedding of the fixture input. */
    private static Map<String, MaskPrediction> predictAll(TfSamModel model, ImageEmbedding e, List<String> cases) {
        Map<String, MaskPrediction> out = new HashMap<>();
        for (String c : cases) {
            List<ModelPrompt> prompts = SamParity.prompts(c);
            out.put(c, model.predict(e, prompts, false));
        }
        return out;
    }
}
