package dev.medsam.core;

import dev.medsam.core.checkpoint.TinyVitArchitecture;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.testing.FakeSamModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an {@link EncodedImage} tells its user: size, pipeline, cache key; and that it stays with its pipeline. */
class EncodedImageTest {

    @Test
    void itNamesItsSizePipelineAndKey() {
        try (SegmentationSession session = SegmentationSession.of(new FakeSamModel(), Pipeline.SAM, 4)) {
            EncodedImage e = session.encode(SegmentationSessionTest.grey(80, 60, 1), IntensityPreset.asIs());
            assertEquals(80, e.width());
            assertEquals(60, e.height());
            assertEquals(Pipeline.SAM, e.pipeline());
            assertTrue(e.cacheKey().startsWith("sha256:"), e.cacheKey());
            assertEquals(List.of(256, 64, 64), List.of(e.embedding().tensor().shape()[1],
                    e.embedding().tensor().shape()[2], e.embedding().tensor().shape()[3]));
            assertTrue(e.toString().contains("80x60") && e.toString().contains("SAM"), e.toString());

            EncodedImage keyed = session.encode(SegmentationSessionTest.grey(80, 60, 1), IntensityPreset.asIs(), "k");
            assertEquals("caller:k", keyed.cacheKey());
            assertNotEquals(e, keyed, "two encoder results are two objects");
            assertEquals(keyed, session.encode(SegmentationSessionTest.grey(80, 60, 1), IntensityPreset.asIs(), "k"),
                    "the cache hands back the same object");
        }
    }

    @Test
    void anImageOfAnotherPipelineIsRefusedByName() {
        try (SegmentationSession medsam = SegmentationSession.of(new FakeSamModel(), Pipeline.MEDSAM, 4);
             SegmentationSession lite = SegmentationSession.of(new FakeSamModel(0, TinyVitArchitecture.LITE_MEDSAM),
                     Pipeline.LITE_MEDSAM, 4)) {
            EncodedImage e = lite.encode(SegmentationSessionTest.grey(40, 30, 2), IntensityPreset.asIs());
            assertEquals(Pipeline.LITE_MEDSAM, e.pipeline());
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                    () -> medsam.segment(e, List.of(Prompts.of(new Box(1, 1, 20, 20))), false));
            assertTrue(x.getMessage().contains("LITE_MEDSAM") && x.getMessage().contains("MEDSAM"), x.getMessage());
        }
    }
}
