package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.LiteMedSamCheckpoint;
import dev.medsam.core.checkpoint.TinyVitArchitecture;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.testing.Tolerance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A LiteMedSAM checkpoint through the backend SPI: {@code Backend.load} gives a full {@code SamModel} (TinyViT
 * encoder on a (1, 3, 256, 256) input, SAM's prompt encoder for the 256 frame and mask decoder), equal to the
 * reference on the fixture's ct_wide case, and the separate prompt-encoder / mask-decoder path equals the fused
 * predict for boxes, points, mask prompts and multimask output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiteMedSamBackendTest {

    private static final String DIR = "fixtures/litemedsam-parity/";

    private TfBackend backend;
    private TfSamModel model;
    private ImageEmbedding embedding;

    @BeforeAll
    void setUp() throws Exception {
        if (Fixtures.willSkip()) {
            return; // each test skips with the reason in requireFixtures(): a skip here reports "Tests run: 0"
        }
        LiteMedSamCheckpoint c = LiteMedSamCheckpoint.load(Fixtures.require(DIR + "weights/lite_medsam_random.pth"));
        backend = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
        model = (TfSamModel) backend.load(c.architecture(), c.weights());
        embedding = model.imageEncoder().encode(new ImageTensor(fixture("ct_wide/input.npy")));
    }

    @BeforeEach
    void requireFixtures() {
        Fixtures.require(DIR + "weights/lite_medsam_random.pth");
    }

    @AfterAll
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
    }

    private static FloatTensor fixture(String name) {
        FixtureArray a = FixtureArray.read(Fixtures.require(DIR + name));
        return FloatTensor.wrap(a.shape(), a.floats());
    }

    @Test
    void encoderAndBoxDecoderEqualTheReference() {
        assertEquals(TinyVitArchitecture.LITE_MEDSAM, model.architecture());
        Tolerance.assertClose("embeddings", fixture("ct_wide/embeddings.npy").toArray(), embedding.tensor().toArray(),
                5e-5);
        // manifest boxes_256 of ct_wide, one per prompt, decoded as one batch
        List<ModelPrompt> boxes = List.of(ModelPrompt.builder().box(new float[] {40, 30, 175, 135}).build(),
                ModelPrompt.builder().box(new float[] {150, 50, 230, 115}).build());
        MaskPrediction p = model.predict(embedding, boxes, false);
        assertArrayEquals(new int[] {2, 1, 256, 256}, p.logits().shape());
        Tolerance.assertClose("lowres", fixture("ct_wide/lowres.npy").toArray(), p.logits().toArray(), 2e-4);
        Tolerance.assertClose("iou", fixture("ct_wide/iou.npy").toArray(), p.iou().toArray(), 1e-5);
    }

    @Test
    void layerOutputsAreReachableForDebugging() {
        Map<String, FloatTensor> out = model.encodeIntermediates(new ImageTensor(fixture("ct_wide/input.npy")),
                List.of("layer3", "image_embeddings"));
        float[] want = fixture("ct_wide/layer3_first1024.npy").toArray();
        float[] got = out.get("layer3").toArray();
        float[] head = new float[want.length];
        System.arraycopy(got, 0, head, 0, want.length);
        Tolerance.assertClose("layer3", want, head, 5e-5);
        assertArrayEquals(embedding.tensor().toArray(), out.get("image_embeddings").toArray());
    }

    @Test
    void promptEncoderAndDecoderEqualThePredictPath() {
        FloatTensor mask = model.predict(embedding, List.of(ModelPrompt.builder().box(new float[] {40, 30, 175, 135})
                .build()), false).logits(0, 0);
        List<List<ModelPrompt>> batches = new ArrayList<>();
        batches.add(List.of(ModelPrompt.builder().points(new float[] {100, 80, 20, 20}, new int[] {1, 0}).build()));
        batches.add(List.of(ModelPrompt.builder().box(new float[] {40, 30, 175, 135})
                .points(new float[] {100, 80}, new int[] {1}).mask(mask).build()));
        for (List<ModelPrompt> batch : batches) {
            for (boolean multimask : new boolean[] {false, true}) {
                MaskPrediction fused = model.predict(embedding, batch, multimask);
                MaskPrediction split = model.maskDecoder().decode(embedding, model.promptEncoder().encode(batch),
                        multimask);
                assertEquals(multimask ? 3 : 1, fused.masksPerPrompt());
                Tolerance.assertClose("logits " + batch + " multimask " + multimask, fused.logits().toArray(),
                        split.logits().toArray(), 1e-4);
                Tolerance.assertClose("iou", fused.iou().toArray(), split.iou().toArray(), 1e-5);
            }
        }
    }

    @Test
    void aViTSizedInputIsRefusedNamingTheSize() {
        ImageTensor big = new ImageTensor(FloatTensor.wrap(new int[] {1, 3, 1024, 1024}, new float[3 * 1024 * 1024]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.imageEncoder().encode(big));
        assertTrue(e.getMessage().contains("(1, 3, 256, 256)") && e.getMessage().contains("litemedsam"),
                e.getMessage());
    }
}
