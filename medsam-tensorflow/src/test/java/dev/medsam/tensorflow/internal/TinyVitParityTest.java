package dev.medsam.tensorflow.internal;

import dev.medsam.core.FloatTensor;
import dev.medsam.core.checkpoint.LiteMedSamCheckpoint;
import dev.medsam.core.checkpoint.TinyVitArchitecture;
import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.tensorflow.proto.ConfigProto;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TinyViT encoder against the LiteMedSAM reference (torch 1.13, float32) on the fixture checkpoint with
 * seeded random weights: patch embedding, every layer's output and the embeddings within 5e-5 (the fixture
 * README's tolerance, about 15x the reference's own float32-vs-float64 error).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TinyVitParityTest {

    private static final String DIR = "fixtures/litemedsam-parity/";
    private static final double TOLERANCE = 5e-5;

    private TinyVitEncoderModel model;

    @BeforeAll
    void setUp() throws Exception {
        LiteMedSamCheckpoint c = LiteMedSamCheckpoint.load(Fixtures.require(DIR + "weights/lite_medsam_random.pth"));
        ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(2)
                .setInterOpParallelismThreads(1).build();
        model = TinyVitEncoderModel.load(c.architecture(), c.weights(), config);
    }

    @AfterAll
    void tearDown() {
        if (model != null) {
            model.close();
        }
    }

    private static FloatTensor fixture(String name) {
        FixtureArray a = FixtureArray.read(Fixtures.require(DIR + name));
        return FloatTensor.wrap(a.shape(), a.floats());
    }

    private static void assertClose(String what, float[] expected, float[] actual, int count, double tol) {
        double worst = 0;
        int at = -1;
        for (int i = 0; i < count; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tol, what + ": max |diff| " + worst + " at " + at + " (" + actual[Math.max(at, 0)]
                + " vs " + expected[Math.max(at, 0)] + "), tolerance " + tol);
    }

    @Test
    void ctWideIntermediatesAndEmbeddingsMatchTheReference() {
        Map<String, FloatTensor> out = model.intermediates(fixture("ct_wide/input.npy"));
        // patch_embed_c4: channels 0..3 of the NCHW patch embedding; ours is NHWC with 64 channels
        float[] pe = out.get("patch_embed").toArray();
        float[] c4 = fixture("ct_wide/patch_embed_c4.npy").toArray();
        float[] ours = new float[c4.length];
        int hw = 256 * 256;
        for (int c = 0; c < 4; c++) {
            for (int p = 0; p < hw; p++) {
                ours[c * hw + p] = pe[p * 64 + c];
            }
        }
        assertClose("patch_embed_c4", c4, ours, c4.length, TOLERANCE);
        String[] layers = {"layer0_first2048", "layer1_first1024", "layer2_first1024", "layer3_first1024"};
        for (int i = 0; i < layers.length; i++) {
            float[] expected = fixture("ct_wide/" + layers[i] + ".npy").toArray();
            assertClose(layers[i], expected, out.get("layer" + i).toArray(), expected.length, TOLERANCE);
        }
        FloatTensor e = out.get("embedding");
        assertTrue(e.hasShape(1, 256, 64, 64));
        float[] expected = fixture("ct_wide/embeddings.npy").toArray();
        assertClose("ct_wide embeddings", expected, e.toArray(), expected.length, TOLERANCE);
    }

    @Test
    void fundusEmbeddingsMatchTheReference() {
        float[] expected = fixture("fundus_rgb/embeddings.npy").toArray();
        FloatTensor e = model.encode(fixture("fundus_rgb/input.npy"));
        assertClose("fundus embeddings", expected, e.toArray(), expected.length, TOLERANCE);
    }

    @Test
    void wrongInputShapeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.encode(FloatTensor.wrap(new int[] {1, 3, 1024, 1024}, new float[3 * 1024 * 1024])));
        assertTrue(e.getMessage().contains("(1, 3, 256, 256)"), e.getMessage());
        assertEquals(TinyVitArchitecture.LITE_MEDSAM, model.architecture());
    }
}
