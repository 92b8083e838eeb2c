package dev.medsam.examples;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.metrics.LabelVolume;
import dev.medsam.core.metrics.SegmentationMetrics;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code SegmentationSession.Builder.backendOption} reaches the backend: bf16 on the bundled CT slice and tiny
 * checkpoint (no shared fixtures needed) changes the probabilities a little and the mask hardly at all, and a
 * value the TensorFlow backend does not know is refused by name when the session is built.
 */
class SessionBackendOptionsTest {

    @Test
    void bf16ReachesTheBackendAndKeepsTheMask() throws IOException {
        MedicalImage ct = MedicalImages.read(DemoData.ctSlice()).image();
        Segmentation fp32 = segmentLiver(SegmentationSession.builder(DemoData.tinyCheckpoint()).threads(2), ct);
        Segmentation bf16 = segmentLiver(SegmentationSession.builder(DemoData.tinyCheckpoint()).threads(2)
                .backendOption("precision", "bf16"), ct);

        float[] p = fp32.probability().toArray();
        float[] q = bf16.probability().toArray();
        double maxDiff = 0;
        for (int i = 0; i < p.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(p[i] - q[i]));
        }
        assertTrue(maxDiff > 1e-6, "bf16 gave the fp32 probabilities exactly: the option did not reach the backend");
        double dice = dice(fp32.binary(), bf16.binary());
        assertTrue(dice >= 0.99, "Dice of the bf16 mask against the fp32 mask " + dice);
    }

    @Test
    void anUnknownPrecisionIsRefusedWhenTheSessionIsBuilt() throws IOException {
        SegmentationSession.Builder b = SegmentationSession.builder(DemoData.tinyCheckpoint())
                .backendOption("precision", "fp16");
        RuntimeException e = assertThrows(RuntimeException.class, b::build);
        assertTrue(String.valueOf(e.getMessage()).contains("precision=fp16"), e.toString());
        assertThrows(IllegalArgumentException.class, () -> b.backendOption(" ", "x"));
    }

    private static Segmentation segmentLiver(SegmentationSession.Builder builder, MedicalImage ct) throws IOException {
        try (SegmentationSession session = builder.build()) {
            session.setImage(ct, IntensityPreset.ctWindow("soft-tissue"));
            return session.segment(Prompts.of(DemoData.LIVER_BOX));
        }
    }

    private static double dice(BinaryMask a, BinaryMask b) {
        int[] dims = {a.width(), a.height()};
        double[] spacing = {1, 1};
        return SegmentationMetrics.dice(LabelVolume.ofUnsignedBytes(dims, spacing, a.toArray()),
                LabelVolume.ofUnsignedBytes(dims, spacing, b.toArray()), 1);
    }
}
