package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.BackendProvider;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.testing.TinyCheckpoint;
import dev.medsam.tensorflow.TensorFlowBackendProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TensorFlow backend's contract beyond the conformance suite ({@code TensorFlowConformanceTest}): discovery and
 * priority, decoder batches split at {@link TfSamModel#MAX_DECODER_BATCH}, mask-only prompts, and the per-image
 * decoder cache (ids, concurrency, its bound). Runs on the committed tiny checkpoint, no fixtures needed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelContractTest {

    private TfBackend backend;
    private TfSamModel model;
    /** An embedding of a synthetic input by this model: the tests here need an embedding, not the reference's. */
    private ImageEmbedding embedding;

    @BeforeAll
    void setUp() {
        backend = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).extra("decoder.cache", "1").build());
        model = (TfSamModel) backend.load(TinyModel.architecture(), TinyModel.weights());
        embedding = model.imageEncoder().encode(TinyCheckpoint.syntheticInput(9));
    }

    @AfterAll
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
    }

    static ModelPrompt box(float x0, float y0, float x1, float y1) {
        return ModelPrompt.builder().box(new float[] {x0, y0, x1, y1}).build();
    }

    @Test
    void theProviderIsFoundByServiceLoaderAndOpensCheaply() {
        List<BackendProvider> providers = Backends.providers();
        BackendProvider p = providers.stream().filter(x -> x.name().equals("tensorflow")).findFirst().orElseThrow();
        assertInstanceOf(TensorFlowBackendProvider.class, p);
        assertEquals(100, p.priority());
        try (Backend b = Backends.open("tensorflow", BackendOptions.defaults())) {
            assertEquals("tensorflow", b.name());
            assertEquals(BackendOptions.defaults().toString(), b.options().toString());
        }
    }

    @Test
    void batchesLargerThanOneDecoderRunAreSplitAndJoinedInOrder() {
        ImageEmbedding e = embedding;
        List<ModelPrompt> batch = new ArrayList<>();
        for (int i = 0; i < TfSamModel.MAX_DECODER_BATCH + 4; i++) {
            batch.add(box(100 + 20 * i, 300, 300 + 20 * i, 500 + 10 * i));
        }
        MaskPrediction all = model.predict(e, batch, true);
        MaskPrediction split = model.maskDecoder().decode(e, model.promptEncoder().encode(batch), true);
        assertArrayEquals(new int[] {batch.size(), 3, 256, 256}, all.logits().shape());
        for (int i : new int[] {0, TfSamModel.MAX_DECODER_BATCH - 1, TfSamModel.MAX_DECODER_BATCH, batch.size() - 1}) {
            MaskPrediction one = model.predict(e, List.of(batch.get(i)), true);
            for (int m = 0; m < 3; m++) {
                dev.medsam.core.testing.Tolerance.assertClose("prompt " + i + " mask " + m, one.logits(0, m).toArray(),
                        all.logits(i, m).toArray(), 1e-5);
                dev.medsam.core.testing.Tolerance.assertClose("prompt " + i + " mask " + m + " (split)",
                        one.logits(0, m).toArray(), split.logits(i, m).toArray(), 1e-5);
                assertEquals(one.iou(0, m), all.iou(i, m), 1e-6);
            }
        }
    }

    @Test
    void maskOnlyPromptsRunThroughPredictButHaveNoSparseEmbeddings() {
        ImageEmbedding e = embedding;
        float[] logits = new float[256 * 256];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (i / 256 - 128) * (i % 256 - 100) > 0 ? 3f : -3f;
        }
        FloatTensor m = FloatTensor.of(new int[] {256, 256}, logits);
        ModelPrompt maskOnly = ModelPrompt.builder().mask(m).build();
        MaskPrediction p = model.predict(e, List.of(maskOnly, maskOnly), true);
        assertArrayEquals(new int[] {2, 3, 256, 256}, p.logits().shape());
        assertArrayEquals(p.logits(0, 1).toArray(), p.logits(1, 1).toArray());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> model.promptEncoder().encode(List.of(maskOnly)));
        assertTrue(ex.getMessage().contains("predict"), ex.getMessage());
    }

    @Test
    void anEmbeddingReusingAnIdIsNotServedStaleCachedWork() {
        FloatTensor a = embedding.tensor();
        float[] shifted = a.toArray();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 0.25f;
        }
        FloatTensor b = FloatTensor.wrap(a.shape(), shifted);
        ImageEmbedding ea = ImageEmbedding.of(a);
        ImageEmbedding sameIdOtherValues = new ImageEmbedding(b, ea.id());
        List<ModelPrompt> batch = List.of(box(190, 510, 380, 700));
        MaskPrediction pa = model.predict(ea, batch, false);
        MaskPrediction pb = model.predict(sameIdOtherValues, batch, false);
        assertNotEquals(pa.logits(), pb.logits());
        assertEquals(model.predict(ImageEmbedding.of(b), batch, false).logits(), pb.logits());
    }

    @Test
    void concurrentCallsOnTwoImagesWithAOneImageCacheGiveTheSingleThreadedResults() throws Exception {
        FloatTensor a = embedding.tensor();
        float[] flipped = a.toArray();
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = -flipped[i];
        }
        List<ImageEmbedding> images = List.of(ImageEmbedding.of(a), ImageEmbedding.of(FloatTensor.wrap(a.shape(), flipped)));
        List<ModelPrompt> batch = List.of(box(190, 510, 380, 700), box(540, 560, 770, 790));
        List<MaskPrediction> expected = List.of(model.predict(images.get(0), batch, false),
                model.predict(images.get(1), batch, false));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int start = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 6; i++) {
                        int img = (start + i) % 2;
                        // alternating images evict each other from the one-entry cache while others use it
                        MaskPrediction p = (i % 3 == 0)
                                ? model.maskDecoder().decode(images.get(img), model.promptEncoder().encode(batch), false)
                                : model.predict(images.get(img), batch, false);
                        if (!p.iou().equals(expected.get(img).iou())) {
                            return false;
                        }
                        dev.medsam.core.testing.Tolerance.assertClose("logits", expected.get(img).logits().toArray(),
                                p.logits().toArray(), 1e-6);
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, model.cachedImages());
    }
}
