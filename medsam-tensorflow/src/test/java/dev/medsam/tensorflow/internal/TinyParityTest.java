package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.Checkpoints;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEmbeddings;
import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.testing.Tolerance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TinyParityTest {

    /** The fixture's tiny encoder: embed 96, depth 4, heads 3, window 14, global blocks 1 and 3. */
    static final SamArchitecture TINY = new SamArchitecture("custom", 96, 4, 3, 14, List.of(1, 3));

    private TfBackend backend;
    private TfSamModel model;
    private Map<String, FloatTensor> encoded;
    private ImageEmbedding reference;

    @BeforeAll
    void setUp() throws Exception {
        var weights = Checkpoints.read(Fixtures.samParity("weights/tiny_sam.safetensors"));
        assertEquals(TINY, SamArchitecture.infer(weights));
        backend = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
        model = (TfSamModel) backend.load(TINY, weights);
        ImageTensor input = new ImageTensor(fixture("tiny/input.npy"));
        encoded = model.encodeIntermediates(input,
                List.of("patch_embed", "block0", "block1", "block2", "block3", "image_embeddings"));
        reference = ImageEmbedding.of(fixture("tiny/image_embeddings.npy"));
    }

    @AfterAll
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void pthCheckpointGivesTheSameOutputsAsSafetensors() throws Exception {
        var pth = Checkpoints.read(Fixtures.samParity("weights/tiny_sam.pth"));
        try (TfSamModel fromPth = (TfSamModel) backend.load(SamArchitecture.infer(pth), pth)) {
            ImageTensor input = new ImageTensor(fixture("tiny/input.npy"));
            ImageEmbedding e = fromPth.imageEncoder().encode(input);
            ImageEmbedding own = model.imageEncoder().encode(input);
            assertArrayEquals(own.tensor().toArray(), e.tensor().toArray(), "embeddings");
            List<ModelPrompt> batch = prompts("point_box");
            assertEquals(model.predict(reference, batch, true).logits(), fromPth.predict(reference, batch, true).logits());
        }
    }

    @Test
    void splitEncoderRunGivesTheFusedEmbedding() {
        // encode() (which also fills the decoder cache) and the intermediate-output run compute the same thing; not
        // bit for bit, since grappler fuses differently when intermediate outputs are fetched
        ImageEmbedding e = model.imageEncoder().encode(new ImageTensor(fixture("tiny/input.npy")));
        check("tiny/image_embeddings (encode)", fixture("tiny/image_embeddings.npy"), e.tensor(), 1e-4);
        Tolerance.assertClose("encode vs intermediates", encoded.get("image_embeddings").toArray(), e.tensor().toArray(), 1e-5);
        // decoding against our own embedding stays within the tiny tolerances end to end
        MaskPrediction p = model.predict(e, prompts("box"), false);
        check("box/lowres_single (own embedding)", fixture("tiny/box/lowres_single.npy"), p.logits(), 1e-4);
    }

    static FloatTensor fixture(String name) {
        FixtureArray a = FixtureArray.read(Fixtures.samParity(name));
        return FloatTensor.of(a.shape(), a.floats());
    }

    static void check(String what, FloatTensor expected, FloatTensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double err = Tolerance.maxAbsDiff(expected.toArray(), actual.toArray());
        System.out.printf("parity %-34s max|err| %.3g (tol %.0e)%n", what, err, tol);
        Tolerance.assertClose(what, expected.toArray(), actual.toArray(), tol);
    }

    @ParameterizedTest
    @ValueSource(strings = {"patch_embed", "block0", "block1", "block2", "block3", "image_embeddings"})
    void encoderOutputs(String name) {
        check("tiny/" + name, fixture("tiny/" + name + ".npy"), encoded.get(name), 1e-4);
    }

    @Test
    void densePositionalEncoding() {
        check("tiny/dense_pe", fixture("tiny/dense_pe.npy"), model.promptEncoder().densePositionalEncoding(), 5e-5);
    }

    static List<ModelPrompt> prompts(String c) {
        FixtureArray boxes = c.equals("points2") ? null : FixtureArray.read(Fixtures.samParity("tiny/" + c + "/boxes_1024.npy"));
        boolean points = c.equals("points2") || c.equals("point_box");
        FixtureArray pts = points ? FixtureArray.read(Fixtures.samParity("tiny/" + c + "/points_1024.npy")) : null;
        FixtureArray labels = points ? FixtureArray.read(Fixtures.samParity("tiny/" + c + "/point_labels.npy")) : null;
        FloatTensor mask = c.equals("mask_box")
                ? FloatTensor.of(new int[] {256, 256},
                        FixtureArray.read(Fixtures.samParity("tiny/mask_box/mask_input.npy")).floats())
                : null;
        int b = boxes != null ? boxes.shape()[0] : pts.shape()[0];
        List<ModelPrompt> out = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            float[] xy = new float[0];
            int[] l = new int[0];
            if (points) {
                int n = pts.shape()[1];
                float[] all = pts.floats();
                xy = java.util.Arrays.copyOfRange(all, i * n * 2, (i + 1) * n * 2);
                l = java.util.Arrays.copyOfRange(labels.ints(), i * n, (i + 1) * n);
            }
            ModelPrompt.Builder p = ModelPrompt.builder().points(xy, l);
            if (boxes != null) {
                p.box(java.util.Arrays.copyOfRange(boxes.floats(), i * 4, i * 4 + 4));
            }
            if (mask != null) {
                p.mask(mask);
            }
            out.add(p.build());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"box", "box3", "points2", "point_box", "mask_box"})
    void promptCase(String c) {
        List<ModelPrompt> batch = prompts(c);
        PromptEmbeddings pe = model.promptEncoder().encode(batch);
        check(c + "/sparse", fixture("tiny/" + c + "/sparse.npy"), pe.sparse(), 5e-5);
        FloatTensor dense = c.equals("mask_box") ? fixture("tiny/mask_box/dense.npy") : broadcast(fixture("tiny/box/dense.npy"), batch.size());
        check(c + "/dense", dense, pe.dense(), 5e-5);
        for (boolean multi : new boolean[] {false, true}) {
            String s = multi ? "multi" : "single";
            MaskPrediction split = model.maskDecoder().decode(reference, pe, multi);
            check(c + "/lowres_" + s + " (split)", fixture("tiny/" + c + "/lowres_" + s + ".npy"), split.logits(), 1e-4);
            check(c + "/iou_" + s + " (split)", fixture("tiny/" + c + "/iou_" + s + ".npy"), split.iou(), 1e-5);
            MaskPrediction fused = model.predict(reference, batch, multi);
            check(c + "/lowres_" + s + " (fused)", fixture("tiny/" + c + "/lowres_" + s + ".npy"), fused.logits(), 1e-4);
            check(c + "/iou_" + s + " (fused)", fixture("tiny/" + c + "/iou_" + s + ".npy"), fused.iou(), 1e-5);
        }
    }

    static FloatTensor broadcast(FloatTensor one, int b) {
        float[] v = one.toArray();
        float[] out = new float[v.length * b];
        for (int i = 0; i < b; i++) {
            System.arraycopy(v, 0, out, i * v.length, v.length);
        }
        int[] s = one.shape();
        s[0] = b;
        return FloatTensor.wrap(s, out);
    }
}
