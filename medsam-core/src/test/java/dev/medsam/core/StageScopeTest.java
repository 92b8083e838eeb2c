package dev.medsam.core;

import dev.medsam.core.StageListener.Stage;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.testing.FakeSamModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SegmentationSession#listenOnCurrentThread}: each thread's scope hears that thread's stages only. */
class StageScopeTest {

    /** Records stages in order; thread-safe, as the builder's listener hears several threads. */
    private static final class Recorder implements StageListener {
        final List<Stage> stages = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void stageCompleted(Stage stage, java.time.Duration duration) {
            stages.add(stage);
        }

        long count(Stage s) {
            synchronized (stages) {
                return stages.stream().filter(s::equals).count();
            }
        }
    }

    @Test
    void twoThreadsEncodingAtOnceHearOnlyTheirOwnStages() throws Exception {
        Recorder all = new Recorder();
        FakeSamModel model = new FakeSamModel();
        CountDownLatch release = new CountDownLatch(1);
        model.holdEncoder = release;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (SegmentationSession session = SegmentationSession.owning(model, List.of(), Pipeline.MEDSAM, 4, all)) {
            Recorder first = new Recorder();
            Recorder second = new Recorder();
            Future<?> a = pool.submit(() -> request(session, SegmentationSessionTest.grey(40, 30, 1), first));
            Future<?> b = pool.submit(() -> request(session, SegmentationSessionTest.grey(50, 20, 2), second));
            // both encoders are running at the same time before either may finish
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (model.encodes.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(2, model.encodes.get(), "both requests reached the encoder");
            release.countDown();
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
            List<Stage> one = List.of(Stage.PRESET, Stage.PREPROCESS, Stage.ENCODER, Stage.DECODER, Stage.POSTPROCESS);
            assertEquals(one, first.stages);
            assertEquals(one, second.stages);
            assertEquals(2, all.count(Stage.ENCODER), "the builder's listener hears both threads");
            assertEquals(2, all.count(Stage.POSTPROCESS));
        } finally {
            pool.shutdownNow();
        }
    }

    private static Void request(SegmentationSession session, MedicalImage image, Recorder mine) {
        try (StageListener.Scope scope = session.listenOnCurrentThread(mine)) {
            EncodedImage e = session.encode(image, IntensityPreset.asIs());
            session.segment(e, List.of(Prompts.of(new Box(2, 2, 15, 12))), false);
        }
        return null;
    }

    @Test
    void scopesNestAndStopReportingWhenClosed() {
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.owning(model, List.of(), Pipeline.MEDSAM, 0,
                StageListener.none())) {
            Recorder outer = new Recorder();
            Recorder inner = new Recorder();
            MedicalImage image = SegmentationSessionTest.grey(16, 16, 3);
            try (StageListener.Scope o = session.listenOnCurrentThread(outer)) {
                try (StageListener.Scope i = session.listenOnCurrentThread(inner)) {
                    session.encode(image, IntensityPreset.asIs());
                }
                session.encode(image, IntensityPreset.asIs());
            }
            session.encode(image, IntensityPreset.asIs());
            assertEquals(2, outer.count(Stage.ENCODER));
            assertEquals(1, inner.count(Stage.ENCODER));
            assertEquals(3, model.encodes.get(), "cache size 0: every call encodes");
        }
    }

    @Test
    void scopesMustCloseInnermostFirstOnTheirOwnThread() throws Exception {
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.of(model, Pipeline.MEDSAM, 0)) {
            StageListener.Scope outer = session.listenOnCurrentThread(StageListener.none());
            StageListener.Scope inner = session.listenOnCurrentThread(StageListener.none());
            IllegalStateException order = assertThrows(IllegalStateException.class, outer::close);
            assertTrue(order.getMessage().contains("innermost first"), order.getMessage());

            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<?> f = other.submit(() -> assertThrows(IllegalStateException.class, inner::close));
                f.get(10, TimeUnit.SECONDS);
            } finally {
                other.shutdownNow();
            }
            inner.close();
            inner.close(); // idempotent
            outer.close();
        }
    }

    @Test
    void aClosedSessionOpensNoScope() {
        SegmentationSession session = SegmentationSession.of(new FakeSamModel(), Pipeline.MEDSAM, 0);
        session.close();
        assertThrows(IllegalStateException.class, () -> session.listenOnCurrentThread(StageListener.none()));
        try (SegmentationSession open = SegmentationSession.of(new FakeSamModel())) {
            assertThrows(NullPointerException.class, () -> open.listenOnCurrentThread(null));
        }
    }
}
