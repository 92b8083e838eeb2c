package dev.medsam.core.testing.conformance;

import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.checkpoint.TensorData;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendException;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.TinyCheckpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gets the documented error, with a message naming what was wrong, and leaves the backend usable:
 * weights that do not fit the architecture are a {@link BackendException} of kind
 * {@link BackendException.Kind#INCOMPATIBLE_MODEL} naming the key and shapes; prompt batches that are empty or mix
 * structures are {@link IllegalArgumentException}s naming the prompt. Runs on the committed tiny checkpoint, no
 * fixtures needed.
 *
 * <p>Runs on the {@link SharedTinyModel}: the refused loads go to its backend and every test then checks that
 * this backend's model, already used by other parts of the suite, still works. A refused load leaves no model
 * open, so the shared backend is left as it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedTinyModel.Resolver.class)
public abstract class ErrorConformance extends BackendConformance {

    private Backend backend;
    private SamModel model;
    private ImageEmbedding image;

    protected ErrorConformance(String providerName) {
        super(providerName);
    }

    @BeforeAll
    void openModel(SharedTinyModel shared) {
        backend = shared.backend();
        model = shared.model();
        // any image does; this one is also the concurrency tests', so it is encoded once for both
        image = shared.syntheticEmbedding(3);
    }

    @Test
    void aMissingTensorIsAnIncompatibleModelNamingTheKey() {
        StateDict missing = edited(t -> t.name().equals("mask_decoder.iou_token.weight") ? null : t);
        BackendException e = assertIncompatible(() -> backend.load(TinyCheckpoint.ARCHITECTURE, missing));
        assertTrue(e.getMessage().contains("mask_decoder.iou_token.weight"), e.getMessage());
        stillWorks();
    }

    @Test
    void aMisshapenTensorIsAnIncompatibleModelNamingKeyAndShapes() {
        String key = "image_encoder.blocks.0.attn.rel_pos_h";
        StateDict misshapen = edited(t -> t.name().equals(key) ? TensorData.of(key, new int[] {29, 32}, new float[29 * 32]) : t);
        BackendException e = assertIncompatible(() -> backend.load(TinyCheckpoint.ARCHITECTURE, misshapen));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("29, 32") && e.getMessage().contains("27, 32"),
                "the message should name the key, its shape [29, 32] and the expected [27, 32]: " + e.getMessage());
        // the same number of values in another rank is no better
        String bias = "mask_decoder.iou_prediction_head.layers.2.bias";
        StateDict reshaped = edited(t -> t.name().equals(bias) ? TensorData.of(bias, new int[] {1, 4}, new float[4]) : t);
        BackendException r = assertIncompatible(() -> backend.load(TinyCheckpoint.ARCHITECTURE, reshaped));
        assertTrue(r.getMessage().contains(bias), r.getMessage());
        stillWorks();
    }

    @Test
    void weightsOfAnotherArchitectureAreAnIncompatibleModel() {
        BackendException e = assertIncompatible(() -> backend.load(SamArchitecture.VIT_B, TinyCheckpoint.weights()));
        assertTrue(e.getMessage().contains("image_encoder"), "the message should name an encoder tensor: " + e.getMessage());
        stillWorks();
    }

    @Test
    void emptyPromptBatchesAreIllegalArguments() {
        assertThrows(IllegalArgumentException.class, () -> model.predict(image, List.of(), false), "predict");
        assertThrows(IllegalArgumentException.class, () -> model.promptEncoder().encode(List.of()), "prompt encoder");
    }

    @Test
    void batchesMixingPromptStructuresAreIllegalArgumentsNamingThePrompt() {
        ModelPrompt point = ModelPrompt.builder().points(new float[] {300, 600}, new int[] {1}).build();
        ModelPrompt twoPoints = ModelPrompt.builder().points(new float[] {300, 600, 310, 610}, new int[] {1, 0}).build();
        for (List<ModelPrompt> batch : List.of(List.of(box(10, 10, 100, 100), point), List.of(point, point, twoPoints))) {
            int bad = batch.size() - 1;
            IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> model.predict(image, batch, false));
            assertTrue(a.getMessage().contains("prompt " + bad), "predict should name prompt " + bad + ": " + a.getMessage());
            IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> model.promptEncoder().encode(batch));
            assertTrue(b.getMessage().contains("prompt " + bad), "encode should name prompt " + bad + ": " + b.getMessage());
        }
        stillWorks();
    }

    @Test
    void wrongShapesAreRefusedBeforeTheyReachTheBackend() {
        // the SPI's value types check shapes, so that no backend ever gets a tensor its graph cannot take
        var small = FloatTensor.wrap(new int[] {1, 3, 512, 512}, new float[3 * 512 * 512]);
        IllegalArgumentException in = assertThrows(IllegalArgumentException.class,
                () -> new ImageTensor(small));
        assertTrue(in.getMessage().contains("512"), in.getMessage());
        var embedding = FloatTensor.wrap(new int[] {1, 256, 32, 32}, new float[256 * 32 * 32]);
        assertThrows(IllegalArgumentException.class, () -> ImageEmbedding.of(embedding));
        var mask = FloatTensor.wrap(new int[] {128, 128}, new float[128 * 128]);
        assertThrows(IllegalArgumentException.class, () -> ModelPrompt.builder().box(BOX_1024).mask(mask).build());
    }

    private static BackendException assertIncompatible(Executable load) {
        BackendException e = assertThrows(BackendException.class, load);
        assertEquals(BackendException.Kind.INCOMPATIBLE_MODEL, e.kind(), e.getMessage());
        return e;
    }

    /** The tiny weights with each tensor replaced by {@code edit}'s answer (null drops it). */
    private static StateDict edited(UnaryOperator<TensorData> edit) {
        List<TensorData> out = new ArrayList<>();
        for (TensorData t : TinyCheckpoint.weights().tensors()) {
            TensorData e = edit.apply(t);
            if (e != null) {
                out.add(e);
            }
        }
        return StateDict.of(out);
    }

    /** A refused load or call leaves the backend and the loaded model working. */
    private void stillWorks() {
        assertEquals(1, model.predict(image, List.of(ModelPrompt.builder().box(BOX_1024).build()), false).batchSize());
    }
}
