package dev.medsam.examples.programs;

import dev.medsam.core.Box;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.testing.CountingModel;
import dev.medsam.examples.DemoData;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReusePromptsTest {

    @Test
    void oneEncoderRunServesEveryPromptAndTheSecondEncodeComesFromTheCache() throws IOException {
        SamCheckpoint tiny = SamCheckpoint.load(DemoData.tinyCheckpoint());
        MedicalImage ct = MedicalImages.read(DemoData.ctSlice()).image();
        List<Box> boxes = List.of(DemoData.LIVER_BOX, new Box(350, 180, 450, 300), new Box(220, 330, 290, 400));
        try (Backend backend = Backends.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
             CountingModel model = new CountingModel(backend.load(tiny.architecture(), tiny.weights()));
             SegmentationSession session = SegmentationSession.of(model)) {
            ReusePrompts.Outcome outcome = ReusePrompts.run(session, ct, boxes);
            assertEquals(1, model.encodes.get(), "the image encoder ran once");
            assertTrue(outcome.cacheHit());
            // three single prompts, then the three boxes in one decoder pass
            assertEquals(4, model.predicts.get());
            assertEquals(3, outcome.oneByOne().size());
            assertEquals(outcome.oneByOne(), outcome.batched(), "batched prompts give each box's own mask");
        }
    }
}
