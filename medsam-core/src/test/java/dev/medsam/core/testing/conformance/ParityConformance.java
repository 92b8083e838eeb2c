package dev.medsam.core.testing.conformance;

import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEmbeddings;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.SamParity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

/**
 * Numerical parity with the reference PyTorch implementation on the SAM parity fixtures' tiny case: the committed
 * tiny checkpoint (byte-identical to the fixtures' weights) on the fixtures' CT slice, through the SPI only (image
 * encoder, prompt encoder, mask decoder, and the fused {@code predict}). Needs the shared fixtures for the inputs
 * and reference outputs; without them each test is reported as skipped with the reason.
 *
 * <p>Tolerances (absolute): about 3x the largest error measured with the TensorFlow backend over every case, and
 * never looser than the fixtures' README (embedding and logits 1e-4, prompt encoder 5e-5, IoU 1e-5). Measured on
 * x86-64, TensorFlow 1.1.0 (oneDNN), 2 intra-op threads, over every case and both decoder paths (the largest
 * errors: the embedding of the CT slice; the dense embedding of mask_box; the multimask logits and IoU of
 * mask_box; the box case decoded from the backend's own embedding):
 * <table>
 * <caption>largest |error| measured, and the tolerance</caption>
 * <tr><th>output</th><th>measured</th><th>tolerance</th></tr>
 * <tr><td>image embedding</td><td>{@value #MEASURED_EMBEDDING}</td><td>{@value #EMBEDDING_TOL}</td></tr>
 * <tr><td>dense positional encoding</td><td>{@value #MEASURED_DENSE_PE}</td><td>{@value #DENSE_PE_TOL}</td></tr>
 * <tr><td>sparse and dense prompt embeddings</td><td>{@value #MEASURED_PROMPT}</td><td>{@value #PROMPT_TOL}</td></tr>
 * <tr><td>low-resolution logits (reference embedding)</td><td>{@value #MEASURED_LOGITS}</td><td>{@value #LOGITS_TOL}</td></tr>
 * <tr><td>IoU predictions</td><td>{@value #MEASURED_IOU}</td><td>{@value #IOU_TOL}</td></tr>
 * <tr><td>logits from the backend's own embedding</td><td>{@value #MEASURED_OWN_LOGITS}</td><td>{@value #OWN_LOGITS_TOL}</td></tr>
 * </table>
 * A backend that is less exact than TensorFlow's float32 graph may override the tolerance methods, up to the
 * README's bounds, and must say why.
 *
 * <p>Runs on the {@link SharedTinyModel}: parity is about what a loaded model computes, not about loading it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedTinyModel.Resolver.class)
public abstract class ParityConformance extends BackendConformance {

    public static final double MEASURED_EMBEDDING = 3.93e-6;
    public static final double EMBEDDING_TOL = 1.2e-5;
    public static final double MEASURED_DENSE_PE = 5.96e-8;
    public static final double DENSE_PE_TOL = 2e-7;
    public static final double MEASURED_PROMPT = 1.31e-6;
    public static final double PROMPT_TOL = 4e-6;
    public static final double MEASURED_LOGITS = 5.78e-6;
    public static final double LOGITS_TOL = 1.8e-5;
    public static final double MEASURED_IOU = 1.25e-6;
    public static final double IOU_TOL = 4e-6;
    public static final double MEASURED_OWN_LOGITS = 3.58e-6;
    public static final double OWN_LOGITS_TOL = 1.1e-5;

    private SamModel model;

    protected ParityConformance(String providerName) {
        super(providerName);
    }

    @BeforeAll
    void openModel(SharedTinyModel shared) {
        // the committed checkpoint, so that only the per-test fixture reads can skip (a skip here would hide the tests)
        model = shared.model();
    }

    @Test
    void imageEmbeddingMatchesTheReference() {
        ImageTensor input = new ImageTensor(SamParity.tensor("tiny/input.npy"));
        ImageEmbedding e = model.imageEncoder().encode(input);
        SamParity.check("tiny/image_embeddings", SamParity.tensor("tiny/image_embeddings.npy"), e.tensor(), EMBEDDING_TOL);
        // end to end on the backend's own embedding: the encoder's error must not grow through the decoder
        MaskPrediction p = model.predict(e, SamParity.prompts("box"), false);
        SamParity.check("tiny/box/lowres_single (own embedding)", SamParity.tensor("tiny/box/lowres_single.npy"),
                p.logits(), OWN_LOGITS_TOL);
    }

    @Test
    void densePositionalEncodingMatchesTheReference() {
        SamParity.check("tiny/dense_pe", SamParity.tensor("tiny/dense_pe.npy"),
                model.promptEncoder().densePositionalEncoding(), DENSE_PE_TOL);
    }

    /** One prompt case: prompt encoder outputs, then split and fused decoding, single and multimask. */
    @ParameterizedTest
    @ValueSource(strings = {"box", "box3", "points2", "point_box", "mask_box"})
    void promptCaseMatchesTheReference(String c) {
        ImageEmbedding reference = ImageEmbedding.of(SamParity.tensor("tiny/image_embeddings.npy"));
        List<ModelPrompt> batch = SamParity.prompts(c);
        PromptEmbeddings pe = model.promptEncoder().encode(batch);
        SamParity.check(c + "/sparse", SamParity.tensor("tiny/" + c + "/sparse.npy"), pe.sparse(), PROMPT_TOL);
        FloatTensor dense = c.equals("mask_box") ? SamParity.tensor("tiny/mask_box/dense.npy")
                : SamParity.repeat(SamParity.tensor("tiny/box/dense.npy"), batch.size());
        SamParity.check(c + "/dense", dense, pe.dense(), PROMPT_TOL);
        for (boolean multi : new boolean[] {false, true}) {
            String s = multi ? "multi" : "single";
            FloatTensor logits = SamParity.tensor("tiny/" + c + "/lowres_" + s + ".npy");
            FloatTensor iou = SamParity.tensor("tiny/" + c + "/iou_" + s + ".npy");
            MaskPrediction split = model.maskDecoder().decode(reference, pe, multi);
            SamParity.check(c + "/lowres_" + s + " (split)", logits, split.logits(), LOGITS_TOL);
            SamParity.check(c + "/iou_" + s + " (split)", iou, split.iou(), IOU_TOL);
            MaskPrediction fused = model.predict(reference, batch, multi);
            SamParity.check(c + "/lowres_" + s + " (fused)", logits, fused.logits(), LOGITS_TOL);
            SamParity.check(c + "/iou_" + s + " (fused)", iou, fused.iou(), IOU_TOL);
        }
    }
}
