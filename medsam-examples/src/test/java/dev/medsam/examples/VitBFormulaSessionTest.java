package dev.medsam.examples;

import dev.medsam.core.EncodedImage;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.FormulaWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import static dev.medsam.examples.ParityFixtures.check;
import static dev.medsam.examples.ParityFixtures.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The real ViT-B network (formula weights, built in memory) through a {@link SegmentationSession}: the fixture's
 * image set as is, one box. One encoder run for the whole class (seconds on two cores); the prompt is decoded
 * once. The fixture README says to compare embeddings and logits, not masks (with these weights the mask is all
 * ones); the probabilities are compared too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VitBFormulaSessionTest {

    private Backend backend;
    private SamModel model;
    private EncodedImage encoded;
    private Segmentation box;

    @BeforeAll
    void encodeOnce() throws IOException {
        SamCheckpoint checkpoint = FormulaWeights.vitBCheckpoint();
        assertEquals(SamArchitecture.VIT_B, checkpoint.architecture());
        backend = Backends.open(Optional.of("tensorflow"), BackendOptions.builder().intraOpThreads(2).build());
        model = backend.load(checkpoint.architecture(), checkpoint.weights());
        try (SegmentationSession session = SegmentationSession.of(model)) {
            encoded = session.setImage(ParityFixtures.tinyImage(), IntensityPreset.asIs());
            List<dev.medsam.core.Prompts> prompts = ParityFixtures.prompts("vitb-formula", "box");
            assertEquals(1, prompts.size());
            box = session.segment(prompts.get(0));
        }
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void embeddingMatchesTheReference() {
        check("vitb-formula session image_embeddings", floats("vitb-formula/image_embeddings.npy"),
                encoded.embedding().tensor().toArray(), 2e-3);
    }

    @Test
    void logitsMatchTheReference() {
        check("vitb-formula session lowres_single", floats("vitb-formula/lowres_single.npy"),
                box.lowResLogits().toArray(), 1e-5);
    }

    @Test
    void iouMatchesTheReference() {
        check("vitb-formula session iou_single", floats("vitb-formula/iou_single.npy"), new float[] {box.iou()}, 1e-5);
    }

    @Test
    void probabilitiesMatchTheReference() {
        check("vitb-formula session prob", floats("vitb-formula/prob.npy"), box.probability().toArray(), 1e-5);
    }
}
