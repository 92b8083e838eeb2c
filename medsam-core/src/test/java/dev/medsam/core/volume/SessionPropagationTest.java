package dev.medsam.core.volume;

import dev.medsam.core.SegmentationSession;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.FakeSamModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Propagation over a real {@link SegmentationSession}: embeddings are computed once per slice and shared. */
class SessionPropagationTest {

    /** 32x32x9 with a bright block on every slice. */
    private static MedicalImage volume() {
        return new Volumes(32, 32, 9).box(8, 8, 0, 24, 24, 8, 200).image();
    }

    @Test
    void objectsSharingSlicesEncodeEachSliceOnce() {
        FakeSamModel model = new FakeSamModel(4);
        try (SegmentationSession session = SegmentationSession.of(model, Pipeline.MEDSAM, 16)) {
            VolumeSegmenter segmenter = VolumeSegmenter.of(session);
            // same range: one visit per slice for both objects
            VolumeSegmentation r = segmenter.segment(volume(), List.of(VolumePrompt.ofBox3d(8, 8, 1, 14, 14, 7),
                    VolumePrompt.ofBox3d(16, 16, 1, 22, 22, 7)));
            assertEquals(7, model.encodes.get());
            assertEquals(7, model.decodes.get()); // both boxes decoded in one batch per slice
            assertEquals(7, r.sliceVisits());
            // the fake model's mask is the (grown) box: object 2's label sits at its box centre on every slice
            for (int z = 1; z <= 7; z++) {
                assertEquals(1, Volumes.label(r.labels(), 11, 11, z));
                assertEquals(2, Volumes.label(r.labels(), 19, 19, z));
            }
            assertEquals(0, Volumes.label(r.labels(), 19, 19, 0));

            // different starts (2 and 5): slices 2, 3 and 4 are needed upwards by one and downwards by the other;
            // the second visit finds them in the session's cache, and slices the first run encoded are cached too
            int before = model.encodes.get();
            VolumeSegmentation shifted = segmenter.segment(volume(), List.of(VolumePrompt.ofBox3d(8, 8, 0, 14, 14, 4),
                    VolumePrompt.ofBox3d(16, 16, 2, 22, 22, 8)));
            assertEquals(12, shifted.sliceVisits()); // up 2..8, down 4..0
            assertEquals(2, model.encodes.get() - before); // slices 0 and 8: 1..7 were cached by the first run
        }
    }

    @Test
    void withoutACacheOnlySlicesVisitedInBothDirectionsAreEncodedTwice() {
        FakeSamModel model = new FakeSamModel(4);
        try (SegmentationSession session = SegmentationSession.of(model, Pipeline.MEDSAM, 0)) {
            VolumeSegmentation r = VolumeSegmenter.of(session).segment(volume(),
                    List.of(VolumePrompt.ofBox3d(8, 8, 0, 14, 14, 4), VolumePrompt.ofBox3d(16, 16, 2, 22, 22, 8)));
            // 9 distinct slices; 2, 3 and 4 lie above object 1's start (2) and below object 2's start (5)
            assertEquals(9 + 3, model.encodes.get());
            assertEquals(r.sliceVisits(), model.encodes.get());
            assertEquals(0, session.cachedImages());
        }
    }

    @Test
    void aClosedSessionFailsClearly() {
        FakeSamModel model = new FakeSamModel(4);
        SegmentationSession session = SegmentationSession.of(model);
        session.close();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> VolumeSegmenter.of(session).segment(volume(), List.of(VolumePrompt.ofBox3d(8, 8, 1, 14, 14, 7))));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
