package dev.medsam.core;

import dev.medsam.core.StageListener.Stage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.testing.FakeSamModel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session reports each stage it runs, once per run, in order, and nothing for cached images. */
class StageListenerTest {

    private static final class Recorder implements StageListener {
        final List<Stage> stages = Collections.synchronizedList(new ArrayList<>());
        final List<Duration> durations = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void stageCompleted(Stage stage, Duration duration) {
            stages.add(stage);
            durations.add(duration);
        }
    }

    @Test
    void encodingAndSegmentingReportEveryStageInOrderAndACacheHitReportsNone() {
        Recorder r = new Recorder();
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.owning(model, List.of(), Pipeline.MEDSAM, 4, r)) {
            session.setImage(SegmentationSessionTest.ct(64, 48));
            assertEquals(List.of(Stage.PRESET, Stage.PREPROCESS, Stage.ENCODER), r.stages);

            r.stages.clear();
            session.setImage(SegmentationSessionTest.ct(64, 48));
            assertEquals(List.of(), r.stages, "a cached embedding runs no stage");

            // two structures (box; box + point) are two decoder passes, each with its postprocessing
            session.segment(List.of(Prompts.of(new Box(5, 5, 30, 30)), Prompts.of(new Box(10, 10, 40, 40)),
                    Prompts.of(new Box(5, 5, 30, 30), Point.positive(10, 10))));
            assertEquals(List.of(Stage.DECODER, Stage.POSTPROCESS, Stage.DECODER, Stage.POSTPROCESS), r.stages);
            assertTrue(r.durations.stream().noneMatch(Duration::isNegative), r.durations.toString());
        }
    }

    @Test
    void encodeInputRunsTheEncoderAloneAndReportsIt() {
        Recorder r = new Recorder();
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.owning(model, List.of(), Pipeline.MEDSAM, 4, r)) {
            int n = 3 * ImageTensor.SIZE * ImageTensor.SIZE;
            ImageTensor input = new ImageTensor(FloatTensor.wrap(new int[] {1, 3, ImageTensor.SIZE, ImageTensor.SIZE},
                    new float[n]));
            session.encodeInput(input);
            session.encodeInput(input);
            assertEquals(List.of(Stage.ENCODER, Stage.ENCODER), r.stages, "no cache for raw inputs");
            assertEquals(2, model.encodes.get());
            assertEquals(0, session.cachedImages());
        }
    }

    @Test
    void aFailingListenerReachesTheCallerAndTheSessionStaysUsable() {
        FakeSamModel model = new FakeSamModel();
        StageListener failing = (stage, d) -> {
            if (stage == Stage.ENCODER) {
                throw new IllegalStateException("listener trouble");
            }
        };
        try (SegmentationSession session = SegmentationSession.owning(model, List.of(), Pipeline.MEDSAM, 4, failing)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> session.setImage(SegmentationSessionTest.grey(16, 16, 1), IntensityPreset.asIs()));
            assertEquals("listener trouble", e.getMessage());
            assertFalse(session.isClosed());
            assertEquals(0, session.cachedImages(), "a failed encode is not cached");
        }
    }

    @Test
    void anEmbeddingFromElsewhereIsPromptedWithoutRunningAnyStage() {
        Recorder r = new Recorder();
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.owning(model, List.of(), Pipeline.MEDSAM, 4, r)) {
            EncodedImage original = session.encode(SegmentationSessionTest.grey(80, 60, 3));
            r.stages.clear();
            EncodedImage wrapped = session.encoded(original.embedding(), 80, 60);
            assertEquals(List.of(), r.stages);
            assertEquals(80, wrapped.width());
            assertEquals(60, wrapped.height());
            Prompts box = Prompts.of(new Box(10, 10, 50, 40));
            assertEquals(session.segment(original, List.of(box), false).get(0).binary(),
                    session.segment(wrapped, List.of(box), false).get(0).binary());
            assertThrows(IllegalArgumentException.class, () -> session.encoded(original.embedding(), 0, 60));
        }
    }

    @Test
    void theBuilderRefusesANullListener() {
        assertThrows(NullPointerException.class,
                () -> SegmentationSession.builder(java.nio.file.Path.of("x.pth")).stageListener(null));
    }

    @Test
    void eachStageBelongsToOneOfTheFiveStepsTheCommandsPrint() {
        java.util.Map<Stage, String> steps = new java.util.EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            steps.put(s, s.step());
        }
        assertEquals(java.util.Map.of(Stage.CHECKPOINT, "load", Stage.BACKEND, "load", Stage.NETWORK, "load",
                Stage.PRESET, "preprocess", Stage.PREPROCESS, "preprocess", Stage.ENCODER, "encode",
                Stage.DECODER, "decode", Stage.POSTPROCESS, "postprocess"), steps);
    }
}
