package dev.medsam.examples;

import dev.medsam.core.EncodedImage;
import dev.medsam.core.MaskCandidate;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.testing.CountingModel;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static dev.medsam.examples.ParityFixtures.EMBEDDING_TOL;
import static dev.medsam.examples.ParityFixtures.IOU_TOL;
import static dev.medsam.examples.ParityFixtures.LOGITS_TOL;
import static dev.medsam.examples.ParityFixtures.PROB_TOL;
import static dev.medsam.examples.ParityFixtures.check;
import static dev.medsam.examples.ParityFixtures.checkMask;
import static dev.medsam.examples.ParityFixtures.floats;
import static dev.medsam.examples.ParityFixtures.part;
import static dev.medsam.examples.ParityFixtures.prompts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Every tiny parity case through the public API, as an application would run it: a {@link SegmentationSession}
 * on the TensorFlow backend, the fixture's 512x512 RGB image set as is, prompts in original pixels. Compared
 * with the reference at ParityFixtures' tolerances (about 3x the measured errors): embedding, low-resolution
 * logits and IoU (single and multimask), probabilities and masks at the image size where the fixtures have them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TinySessionParityTest {

    private static final int PLANE = 256 * 256;
    private static final int PIXELS = 512 * 512;

    private Backend backend;
    private CountingModel model;
    private SegmentationSession session;
    private EncodedImage encoded;

    @BeforeAll
    void open() throws IOException {
        if (Fixtures.willSkip()) {
            return; // each test skips with the reason in requireFixtures(), never as "Tests run: 0"
        }
        SamCheckpoint tiny = SamCheckpoint.load(ParityFixtures.file("weights/tiny_sam.pth"));
        backend = Backends.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
        model = new CountingModel(backend.load(tiny.architecture(), tiny.weights()));
        session = SegmentationSession.of(model);
        encoded = session.setImage(ParityFixtures.tinyImage(), IntensityPreset.asIs());
    }

    @BeforeEach
    void requireFixtures() {
        Fixtures.require("fixtures/sam-parity/tiny");
    }

    @AfterAll
    void close() {
        if (session != null) {
            session.close();
        }
        if (model != null) {
            model.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void embeddingMatchesTheReference() {
        assertArrayEquals(new int[] {1, 256, 64, 64}, encoded.embedding().tensor().shape());
        check("session tiny/image_embeddings", floats("tiny/image_embeddings.npy"),
                encoded.embedding().tensor().toArray(), EMBEDDING_TOL);
    }

    static Stream<Arguments> cases() {
        return ParityFixtures.TINY_CASES.stream()
                .flatMap(c -> Stream.of(Arguments.of(c, false), Arguments.of(c, true)));
    }

    @ParameterizedTest(name = "{0} multimask={1}")
    @MethodSource("cases")
    void promptCaseMatchesTheReference(String c, boolean multimask) throws IOException {
        List<Prompts> objects = prompts("tiny", c);
        List<Segmentation> results = session.segment(objects, multimask);
        String s = multimask ? "multi" : "single";
        float[] lowres = floats("tiny/" + c + "/lowres_" + s + ".npy");
        float[] iou = floats("tiny/" + c + "/iou_" + s + ".npy");
        int masks = multimask ? 3 : 1;
        assertEquals(objects.size() * masks * PLANE, lowres.length, "fixture size");
        for (int b = 0; b < objects.size(); b++) {
            Segmentation r = results.get(b);
            assertEquals(objects.get(b), r.prompts());
            assertEquals(masks, r.candidates().size());
            for (int m = 0; m < masks; m++) {
                MaskCandidate cand = r.candidates().get(m);
                String what = "session " + c + "/lowres_" + s + "[" + b + "," + m + "]";
                check(what, part(lowres, (b * masks + m) * PLANE, PLANE), cand.lowResLogits().toArray(), LOGITS_TOL);
                check("session " + c + "/iou_" + s + "[" + b + "," + m + "]", new float[] {iou[b * masks + m]},
                        new float[] {cand.iou()}, IOU_TOL);
            }
        }
        boolean hasProb = c.equals("box") || c.equals("box3");
        if (!multimask && hasProb) {
            float[] prob = floats("tiny/" + c + "/prob.npy");
            byte[] mask = ParityFixtures.bytes(ParityFixtures.array("tiny/" + c + "/mask.npy"));
            for (int b = 0; b < objects.size(); b++) {
                float[] refProb = part(prob, b * PIXELS, PIXELS);
                check("session " + c + "/prob[" + b + "]", refProb, results.get(b).probability().toArray(), PROB_TOL);
                checkMask("session " + c + "/mask[" + b + "]", part(mask, b * PIXELS, PIXELS),
                        results.get(b).binary().toArray(), refProb);
            }
        }
    }

    @Test
    void aSecondSetImageOfTheSameSliceDoesNotReEncode() throws IOException {
        int before = model.encodes.get();
        MedicalImage again = ParityFixtures.tinyImage(); // equal content, another object
        EncodedImage second = session.setImage(again, IntensityPreset.asIs());
        assertEquals(before, model.encodes.get(), "the encoder ran again for the same image");
        assertSame(encoded, second);
        assertEquals(encoded.embedding().id(), session.currentImage().orElseThrow().embedding().id());
    }

    @Test
    void theSafetensorsCheckpointThroughTheBuilderGivesTheSameResults() throws IOException {
        try (SegmentationSession fromFile = SegmentationSession.builder(
                ParityFixtures.file("weights/tiny_sam.safetensors")).backend("tensorflow").threads(2).build()) {
            EncodedImage e = fromFile.setImage(ParityFixtures.tinyImage());  // uint8 RGB: the default preset is as-is
            check("safetensors session tiny/image_embeddings", floats("tiny/image_embeddings.npy"),
                    e.embedding().tensor().toArray(), EMBEDDING_TOL);
            Segmentation box = fromFile.segment(prompts("tiny", "box").get(0));
            check("safetensors session box/lowres_single", floats("tiny/box/lowres_single.npy"),
                    box.lowResLogits().toArray(), LOGITS_TOL);
            check("safetensors session box/prob", floats("tiny/box/prob.npy"), box.probability().toArray(), PROB_TOL);
        }
    }

    @Test
    void twoSessionsSharingOneModelGiveIdenticalResultsConcurrently() throws Exception {
        List<Prompts> box3 = prompts("tiny", "box3");
        List<Prompts> pointBox = prompts("tiny", "point_box");
        List<float[]> expected = run(session, box3, pointBox);
        int before = model.encodes.get();
        int rounds = 4;
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (SegmentationSession a = SegmentationSession.of(model, Pipeline.MEDSAM, 4);
             SegmentationSession b = SegmentationSession.of(model, Pipeline.MEDSAM, 4)) {
            List<Future<List<List<float[]>>>> futures = new ArrayList<>();
            for (SegmentationSession s : List.of(a, b)) {
                futures.add(pool.submit(() -> {
                    start.await();
                    s.setImage(ParityFixtures.tinyImage(), IntensityPreset.asIs());
                    List<List<float[]>> all = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        all.add(run(s, box3, pointBox));
                    }
                    return all;
                }));
            }
            for (Future<List<List<float[]>>> f : futures) {
                for (List<float[]> round : f.get()) {
                    assertEquals(expected.size(), round.size());
                    for (int i = 0; i < expected.size(); i++) {
                        assertArrayEquals(expected.get(i), round.get(i), "result " + i + " differs");
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before + 2, model.encodes.get(), "each new session encodes the image once");
    }

    /** Embedding, then every object's logits and probabilities for box3 (single) and point_box (multimask). */
    private static List<float[]> run(SegmentationSession s, List<Prompts> box3, List<Prompts> pointBox) {
        List<float[]> out = new ArrayList<>();
        out.add(s.currentImage().orElseThrow().embedding().tensor().toArray());
        for (Segmentation r : s.segment(box3, false)) {
            out.add(r.lowResLogits().toArray());
            out.add(r.probability().toArray());
        }
        for (Segmentation r : s.segment(pointBox, true)) {
            for (MaskCandidate c : r.candidates()) {
                out.add(c.lowResLogits().toArray());
                out.add(new float[] {c.iou()});
            }
        }
        return out;
    }
}
