package dev.medsam.core.testing.conformance;

import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.TinyCheckpoint;
import dev.medsam.core.testing.Tolerance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models are thread-safe: encodes and decodes running on several threads at once give the results of the same
 * calls made one after another, and the split path (prompt encoder, then mask decoder) agrees with the fused
 * {@code predict}, as {@link SamModel#predict} promises. Runs on the committed tiny checkpoint with synthetic
 * inputs, no fixtures needed.
 *
 * <p>Results must be equal within {@value #SAME_RESULT_TOL} (absolute): the same float32 graph on the same input;
 * only a different summation order (another kernel, another thread split) may change the last bits.
 *
 * <p>Runs on the {@link SharedTinyModel} (calls on a loaded model, not its loading), and encodes each synthetic
 * input serially once, before the tests: those embeddings are the serial results the parallel encodes must equal,
 * and the images the decode tests decode.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedTinyModel.Resolver.class)
public abstract class ConcurrencyConformance extends BackendConformance {

    /** Serial vs parallel, and split vs fused, on the same input: float32 rounding only. */
    public static final double SAME_RESULT_TOL = 1e-5;

    private static final int THREADS = 4;

    /** The synthetic inputs every test here works on (seeds of {@link TinyCheckpoint#syntheticInput}). */
    private static final int[] SEEDS = {3, 4};

    private SamModel model;
    private List<ImageTensor> inputs;
    /** The model's embeddings of {@link #inputs}, encoded one after another on one thread: the serial results. */
    private List<ImageEmbedding> images;

    protected ConcurrencyConformance(String providerName) {
        super(providerName);
    }

    @BeforeAll
    void openModel(SharedTinyModel shared) {
        model = shared.model();
        inputs = List.of(TinyCheckpoint.syntheticInput(SEEDS[0]), TinyCheckpoint.syntheticInput(SEEDS[1]));
        images = List.of(shared.syntheticEmbedding(SEEDS[0]), shared.syntheticEmbedding(SEEDS[1]));
    }

    @Test
    void parallelEncodesEqualSerialEncodes() throws Exception {
        List<float[]> serial = new ArrayList<>();
        for (ImageEmbedding e : images) {
            serial.add(e.tensor().toArray());
        }
        double apart = Tolerance.maxAbsDiff(serial.get(0), serial.get(1));
        assertTrue(apart > 100 * SAME_RESULT_TOL, "two different inputs gave nearly the same embedding (max |diff| "
                + apart + "): the comparison below would prove nothing");
        runOnThreads(t -> () -> {
            for (int i = 0; i < 3; i++) {
                int which = (t + i) % 2;
                Tolerance.assertClose("thread " + t + " encode " + i + " (input " + which + ")", serial.get(which),
                        model.imageEncoder().encode(inputs.get(which)).tensor().toArray(), SAME_RESULT_TOL);
            }
            return null;
        });
    }

    @Test
    void parallelDecodesEqualSerialDecodes() throws Exception {
        List<ModelPrompt> batch = List.of(box(190, 510, 380, 700), box(540, 560, 770, 790));
        List<MaskPrediction> serial = List.of(model.predict(images.get(0), batch, true),
                model.predict(images.get(1), batch, true));
        runOnThreads(t -> () -> {
            for (int i = 0; i < 6; i++) {
                int which = (t + i) % 2;
                // alternate the fused and the split path, so that both run concurrently with each other
                MaskPrediction p = i % 2 == 0 ? model.predict(images.get(which), batch, true)
                        : model.maskDecoder().decode(images.get(which), model.promptEncoder().encode(batch), true);
                String what = "thread " + t + " call " + i + " (image " + which + ")";
                assertArrayEquals(serial.get(which).logits().shape(), p.logits().shape(), what);
                Tolerance.assertClose(what + " logits", serial.get(which).logits().toArray(), p.logits().toArray(),
                        SAME_RESULT_TOL);
                Tolerance.assertClose(what + " iou", serial.get(which).iou().toArray(), p.iou().toArray(),
                        SAME_RESULT_TOL);
            }
            return null;
        });
    }

    @Test
    void splitAndFusedDecodingAgreeForEveryPromptStructure() {
        ImageEmbedding image = images.get(0);
        float[] mask = new float[256 * 256];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = (i / 256 > 100 && i / 256 < 180 && i % 256 > 60 && i % 256 < 140) ? 4f : -4f;
        }
        FloatTensor maskInput = FloatTensor.wrap(new int[] {256, 256}, mask);
        List<List<ModelPrompt>> batches = List.of(
                List.of(box(190, 510, 380, 700)),
                List.of(box(190, 510, 380, 700), box(540, 560, 770, 790), box(10, 20, 1000, 1010)),
                List.of(ModelPrompt.builder().points(new float[] {300, 600, 700, 200}, new int[] {1, 0}).build()),
                List.of(ModelPrompt.builder().points(new float[] {285, 605}, new int[] {1}).box(BOX_1024).build()),
                List.of(ModelPrompt.builder().box(BOX_1024).mask(maskInput).build()));
        for (List<ModelPrompt> batch : batches) {
            for (boolean multi : new boolean[] {false, true}) {
                MaskPrediction fused = model.predict(image, batch, multi);
                MaskPrediction split = model.maskDecoder().decode(image, model.promptEncoder().encode(batch), multi);
                String what = batch.get(0) + " x" + batch.size() + (multi ? " multimask" : "");
                assertArrayEquals(new int[] {batch.size(), multi ? 3 : 1, 256, 256}, fused.logits().shape(), what);
                Tolerance.assertClose(what + " logits", split.logits().toArray(), fused.logits().toArray(), SAME_RESULT_TOL);
                Tolerance.assertClose(what + " iou", split.iou().toArray(), fused.iou().toArray(), SAME_RESULT_TOL);
            }
        }
    }

    /** A task per thread, all started together; rethrows the first failure. */
    private static void runOnThreads(IntFunction<Callable<Void>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                done.add(pool.submit(task.apply(t)));
            }
            for (Future<Void> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
