package dev.medsam.examples.eval;

import dev.medsam.core.FloatTensor;
import dev.medsam.core.ImageEmbedding;
import dev.medsam.core.ImageEncoder;
import dev.medsam.core.MaskDecoder;
import dev.medsam.core.MaskPrediction;
import dev.medsam.core.ModelPrompt;
import dev.medsam.core.PromptEncoder;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.spi.SamModel;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake SAM whose mask is the prompt box (drawn in the 256x256 low-resolution frame), so evaluation results are
 * predictable without a network. Counts encoder runs.
 */
public final class BoxDrawingModel implements SamModel {

    public final AtomicInteger encodes = new AtomicInteger();

    @Override
    public SamArchitecture architecture() {
        return SamArchitecture.VIT_B;
    }

    @Override
    public ImageEncoder imageEncoder() {
        return image -> {
            encodes.incrementAndGet();
            return ImageEmbedding.of(FloatTensor.wrap(new int[] {1, 256, 64, 64}, new float[256 * 64 * 64]));
        };
    }

    @Override
    public PromptEncoder promptEncoder() {
        throw new UnsupportedOperationException("sessions use predict()");
    }

    @Override
    public MaskDecoder maskDecoder() {
        throw new UnsupportedOperationException("sessions use predict()");
    }

    @Override
    public MaskPrediction predict(ImageEmbedding image, List<ModelPrompt> batch, boolean multimask) {
        int plane = 256 * 256;
        float[] logits = new float[batch.size() * plane];
        Arrays.fill(logits, -8f);
        for (int b = 0; b < batch.size(); b++) {
            float[] box = batch.get(b).box().orElseThrow();
            for (int y = (int) Math.ceil(box[1] / 4); y <= Math.min(255, (int) (box[3] / 4)); y++) {
                for (int x = (int) Math.ceil(box[0] / 4); x <= Math.min(255, (int) (box[2] / 4)); x++) {
                    logits[b * plane + y * 256 + x] = 8f;
                }
            }
        }
        float[] iou = new float[batch.size()];
        return new MaskPrediction(FloatTensor.wrap(new int[] {batch.size(), 1, 256, 256}, logits),
                FloatTensor.wrap(new int[] {batch.size(), 1}, iou));
    }

    @Override
    public void close() {
    }
}
