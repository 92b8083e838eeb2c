package dev.medsam.core;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.BackendException;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.testing.FakeSamModel;
import dev.medsam.core.testing.TinyCheckpoint;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session's own logic (caching, batching, grouping, threads, lifecycle) over a small deterministic model
 * ({@link FakeSamModel}): its "decoder" marks the prompt's box (and squares around positive points) in the low-res
 * frame, so the masks that come back show whether prompts, frames and batches were wired correctly.
 */
class SegmentationSessionTest {

    static MedicalImage grey(int width, int height, int seed) {
        byte[] v = new byte[width * height];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) ((i * 31 + seed * 17) % 251);
        }
        return MedicalImage.builder(DataType.UINT8, width, height).data(ByteBuffer.wrap(v)).build();
    }

    static MedicalImage ct(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(width * height * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < width * height; i++) {
            b.putShort((short) ((i % 700) - 300));
        }
        return MedicalImage.builder(DataType.INT16, width, height).modality("CT").data(b.flip()).build();
    }

    // ------------------------------------------------------------------------------------------------

    /** Issue 19, case 9: after close(), segmenting the current image says the session is closed. */
    @Test
    void segmentingAfterCloseSaysTheSessionIsClosed() {
        FakeSamModel model = new FakeSamModel();
        SegmentationSession session = SegmentationSession.of(model);
        try (session) {
            session.setImage(grey(64, 64, 1));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> session.segment(Prompts.of(new Box(10, 10, 30, 30))));
        assertEquals("the segmentation session is closed", e.getMessage());
    }

    @Test
    void encodesOnceAndAnswersManyPrompts() {
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.of(model)) {
            EncodedImage img = session.setImage(grey(200, 100, 1));
            assertEquals(1, model.encodes.get());
            Segmentation s = session.segment(Prompts.of(new Box(40, 20, 120, 60)));
            session.segment(Prompts.of(Point.positive(100, 50)));
            session.segment(List.of(Prompts.of(new Box(10, 10, 30, 30)), Prompts.of(new Box(50, 50, 90, 90))));
            assertEquals(1, model.encodes.get(), "prompts must not re-run the encoder");
            assertEquals(200, s.binary().width());
            assertEquals(100, s.binary().height());
            PixelBounds bounds = s.binary().bounds().orElseThrow();
            assertEquals(40, bounds.minX(), 1.5);
            assertEquals(20, bounds.minY(), 1.5);
            assertEquals(120, bounds.maxX(), 1.5);
            assertEquals(60, bounds.maxY(), 1.5);
            assertEquals(0.8f, s.iou());
            assertSame(img.embedding(), s.embedding());
            assertEquals(256, s.lowResLogits().width());
            assertEquals(1, s.candidates().size());
        }
    }

    @Test
    void cacheAvoidsReEncodingAndEvictsLeastRecentlyUsed() {
        FakeSamModel model = new FakeSamModel();
        MedicalImage a = grey(64, 64, 1);
        MedicalImage b = grey(64, 64, 2);
        MedicalImage c = grey(64, 64, 3);
        try (SegmentationSession session = SegmentationSession.of(model, Pipeline.MEDSAM, 2)) {
            EncodedImage ea = session.setImage(a);
            session.setImage(b);
            EncodedImage again = session.setImage(grey(64, 64, 1)); // equal content, another object
            assertEquals(2, model.encodes.get());
            assertSame(ea, again);
            assertNotEquals(ea.cacheKey(), session.encode(b).cacheKey());
            session.setImage(c);                 // evicts a (b was used more recently)
            assertEquals(3, model.encodes.get());
            assertFalse(session.isCached(a, IntensityPreset.asIs()));
            assertTrue(session.isCached(b, IntensityPreset.asIs()));
            session.setImage(a);
            assertEquals(4, model.encodes.get());
            assertEquals(2, session.cachedImages());
            // another preset is another image
            session.encode(ct(64, 64), IntensityPreset.ctWindow("lung"));
            session.encode(ct(64, 64), IntensityPreset.ctWindow("bone"));
            session.encode(ct(64, 64), IntensityPreset.ctWindow("bone"));
            assertEquals(6, model.encodes.get());
            // caller keys replace the content hash
            session.encode(a, IntensityPreset.asIs(), "slice-7");
            session.encode(b, IntensityPreset.asIs(), "slice-7");
            assertEquals(7, model.encodes.get());
        }
        try (SegmentationSession uncached = SegmentationSession.of(model, Pipeline.MEDSAM, 0)) {
            uncached.encode(a);
            uncached.encode(a);
            assertEquals(9, model.encodes.get());
        }
    }

    @Test
    void sameStructurePromptsShareABatchAndResultsKeepTheirOrder() {
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.of(model)) {
            session.setImage(grey(512, 512, 4));
            List<Prompts> objects = List.of(
                    Prompts.of(new Box(95, 255, 190, 350)),
                    Prompts.of(new Box(280, 235, 355, 310), Point.positive(300, 300)),
                    Prompts.of(new Box(270, 280, 385, 395)),
                    Prompts.of(Point.positive(142, 302), Point.negative(250, 300)),
                    Prompts.of(new Box(10, 10, 60, 60), Point.positive(30, 30)));
            List<Segmentation> results = session.segment(objects);
            assertEquals(3, model.batches.size(), "three structures -> three decoder batches");
            assertEquals(2, model.batches.get(0).size());
            assertEquals(2, model.batches.get(1).size());
            assertEquals(1, model.batches.get(2).size());
            assertEquals(new float[] {190, 510, 380, 700}.length, model.batches.get(0).get(0).box().orElseThrow().length);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {190, 510, 380, 700},
                    model.batches.get(0).get(0).box().orElseThrow());
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {540, 560, 770, 790},
                    model.batches.get(0).get(1).box().orElseThrow());
            for (int i = 0; i < objects.size(); i++) {
                assertEquals(objects.get(i), results.get(i).prompts());
            }
            // each mask lies where its own box is
            assertEquals(95, results.get(0).binary().bounds().orElseThrow().minX(), 1.5);
            assertEquals(270, results.get(2).binary().bounds().orElseThrow().minX(), 1.5);
            assertEquals(10, results.get(4).binary().bounds().orElseThrow().minX(), 1.5);
        }
    }

    @Test
    void multimaskGivesThreeCandidatesAndPicksTheBestIou() {
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.of(model)) {
            session.setImage(grey(512, 512, 5));
            Segmentation s = session.segment(List.of(Prompts.of(new Box(100, 100, 300, 300))), true).get(0);
            assertEquals(3, s.candidates().size());
            assertSame(s.candidates().get(1), s.best());
            assertEquals(0.9f, s.iou());
            long small = s.candidates().get(0).binary().count();
            long mid = s.candidates().get(1).binary().count();
            long large = s.candidates().get(2).binary().count();
            assertTrue(small < mid && mid < large, small + " " + mid + " " + large);
        }
    }

    @Test
    void aPreviousMaskFeedsBackAsADensePrompt() {
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.of(model)) {
            session.setImage(grey(256, 256, 6));
            Segmentation first = session.segment(Prompts.of(new Box(50, 50, 100, 100)));
            Segmentation refined = session.segment(Prompts.of(new Box(150, 150, 200, 200),
                    new MaskPrompt(first.lowResLogits())));
            ModelPrompt sent = model.batches.get(1).get(0);
            assertArrayEquals(first.lowResLogits().toArray(), sent.mask().orElseThrow().toArray());
            // the fake keeps the larger of its own and the dense prompt's logits: both boxes survive
            assertTrue(refined.binary().get(75, 75));
            assertTrue(refined.binary().get(175, 175));
        }
    }

    @Test
    void ctImagesGetTheSoftTissueWindowByDefault() {
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.of(model)) {
            MedicalImage img = ct(64, 32);
            session.setImage(img);
            assertTrue(session.isCached(img, IntensityPreset.ctWindow("soft-tissue")));
            assertFalse(session.isCached(img, IntensityPreset.percentile()));
        }
    }

    @Test
    void samPipelineMapsPromptsByTheLongestSide() {
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession sam = SegmentationSession.of(model, Pipeline.SAM, 4);
             SegmentationSession medsam = SegmentationSession.of(model)) {
            EncodedImage img = sam.setImage(grey(400, 200, 7));
            sam.segment(Prompts.of(new Box(100, 50, 200, 150)));
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {256, 128, 512, 384},
                    model.batches.get(0).get(0).box().orElseThrow());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> medsam.segment(img, List.of(Prompts.of(new Box(1, 1, 5, 5))), false));
            assertTrue(e.getMessage().contains("SAM"), e.getMessage());
        }
    }

    @Test
    void badCallsGetClearErrors() {
        FakeSamModel model = new FakeSamModel();
        try (SegmentationSession session = SegmentationSession.of(model)) {
            IllegalStateException noImage = assertThrows(IllegalStateException.class,
                    () -> session.segment(Prompts.of(new Box(1, 1, 5, 5))));
            assertTrue(noImage.getMessage().contains("setImage"), noImage.getMessage());
            session.setImage(grey(100, 100, 8));
            assertThrows(IllegalArgumentException.class, () -> session.segment(List.of()));
            IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> session.segment(
                    List.of(Prompts.of(new Box(1, 1, 5, 5)), Prompts.of(new Box(200, 200, 300, 300)))));
            assertTrue(outside.getMessage().startsWith("object 2"), "the second, numbered from 1 like its label: "
                    + outside.getMessage());
            MedicalImage volume = MedicalImage.builder(DataType.UINT8, 8, 8, 3).data(ByteBuffer.allocate(192)).build();
            assertThrows(IllegalArgumentException.class, () -> session.setImage(volume));
            assertEquals(0, model.batches.size(), "nothing reached the decoder");
        }
    }

    @Test
    void threadsShareOneSessionSafely() throws Exception {
        FakeSamModel model = new FakeSamModel();
        MedicalImage img = grey(300, 200, 9);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (SegmentationSession session = SegmentationSession.of(model)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    EncodedImage e = session.encode(img);
                    boolean ok = true;
                    for (int k = 0; k < 15; k++) {
                        int x = 10 + 20 * ((thread + k) % 10);
                        Segmentation s = session.segment(e, List.of(Prompts.of(new Box(x, 40, x + 60, 120))), false)
                                .get(0);
                        PixelBounds b = s.binary().bounds().orElseThrow();
                        ok &= Math.abs(b.minX() - x) <= 1 && Math.abs(b.maxX() - (x + 60)) <= 1;
                    }
                    return ok;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get(60, TimeUnit.SECONDS), "a thread got a mask for another prompt");
            }
            assertEquals(1, model.encodes.get(), "eight threads asking for one image encode it once");
            assertEquals(8 * 15, model.batches.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeIsIdempotentWaitsForCallsInFlightAndLeavesASharedModelOpen() throws Exception {
        FakeSamModel model = new FakeSamModel();
        model.holdEncoder = new CountDownLatch(1);
        SegmentationSession session = SegmentationSession.of(model);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<EncodedImage> encoding = pool.submit(() -> session.encode(grey(32, 32, 10)));
            assertTrue(model.encoderEntered.await(30, TimeUnit.SECONDS));
            Future<?> closing = pool.submit(session::close);
            Thread.sleep(200);
            assertFalse(closing.isDone(), "close must wait for the encode in flight");
            model.holdEncoder.countDown();
            assertEquals(32, encoding.get(30, TimeUnit.SECONDS).width());
            closing.get(30, TimeUnit.SECONDS);
            assertTrue(session.isClosed());
            session.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> session.setImage(grey(8, 8, 1)));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> session.segment(Prompts.of(new Box(1, 1, 2, 2))));
            assertFalse(model.closed(), "a model handed in belongs to the caller");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSessionThatOpenedItsModelClosesItOnceAndSurvivesAFailingClose() {
        FakeSamModel model = new FakeSamModel();
        AtomicInteger backendCloses = new AtomicInteger();
        AutoCloseable backend = () -> {
            backendCloses.incrementAndGet();
            throw new IllegalStateException("native trouble");
        };
        SegmentationSession session = SegmentationSession.owning(model, List.of(model, backend), Pipeline.MEDSAM, 2);
        session.setImage(grey(16, 16, 11));
        session.close();
        session.close();
        assertTrue(model.closed());
        assertEquals(1, backendCloses.get());
    }

    @Test
    void groupingIsByStructureInOrderOfFirstAppearance() {
        ModelPrompt box = ModelPrompt.builder().box(new float[] {1, 1, 5, 5}).build();
        ModelPrompt onePoint = ModelPrompt.builder().points(new float[] {1, 1}, new int[] {1}).build();
        ModelPrompt twoPoints = ModelPrompt.builder().points(new float[] {1, 1, 2, 2}, new int[] {1, 0}).build();
        List<List<Integer>> groups = SegmentationSession.groupByStructure(
                new ModelPrompt[] {onePoint, box, twoPoints, box, onePoint, twoPoints});
        assertEquals(List.of(List.of(0, 4), List.of(1, 3), List.of(2, 5)), groups);
    }

    @Test
    void builderReportsAMissingCheckpointAndAMissingBackend() throws IOException {
        IOException missing = assertThrows(IOException.class,
                () -> SegmentationSession.builder(Path.of("no/such/medsam_vit_b.pth")).build());
        assertTrue(missing.getMessage().contains("medsam_vit_b.pth"), missing.getMessage());
        Path tiny = TinyCheckpoint.path();
        // core's tests have no backend on the class path: the checkpoint loads, opening a backend fails clearly
        BackendException e = assertThrows(BackendException.class,
                () -> SegmentationSession.builder(tiny).backend("tensorflow").threads(2).cacheSize(4).build());
        assertEquals(BackendException.Kind.UNAVAILABLE, e.kind());
        assertThrows(IllegalArgumentException.class, () -> SegmentationSession.builder(tiny).cacheSize(-1));
        assertThrows(IllegalArgumentException.class, () -> SegmentationSession.builder(tiny).threads(-2));
    }
}
