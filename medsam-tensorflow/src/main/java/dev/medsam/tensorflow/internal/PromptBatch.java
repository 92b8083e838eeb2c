package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ModelPrompt;

import java.util.List;
import java.util.Objects;

/**
 * A batch of same-structure prompts flattened for the prompt encoder graph: per prompt its points (SAM labels 0/1),
 * then a padding point (code -1) when it has points but no box, then the box corners (codes 2 and 3), exactly the
 * order and padding of PromptEncoder.forward; plus the mask prompts, if any.
 *
 * @param batch   B
 * @param entries N, the sparse tokens per prompt (may be 0 for mask-only prompts)
 * @param coords  (B, N, 2) in the 1024 frame
 * @param codes   (B, N)
 * @param masks   (B, 256, 256) mask-prompt logits, or null when the prompts have none
 */
record PromptBatch(int batch, int entries, float[] coords, int[] codes, float[] masks) {

    /**
     * @throws IllegalArgumentException if the batch is empty or its prompts differ in structure
     */
    static PromptBatch of(List<ModelPrompt> prompts) {
        Objects.requireNonNull(prompts, "prompt batch");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("the prompt batch is empty");
        }
        ModelPrompt first = Objects.requireNonNull(prompts.get(0), "prompt 0");
        for (int i = 1; i < prompts.size(); i++) {
            ModelPrompt p = Objects.requireNonNull(prompts.get(i), "prompt " + i);
            if (!p.sameStructureAs(first)) {
                throw new IllegalArgumentException("prompt " + i + " (" + p + ") differs in structure from prompt 0 ("
                        + first + "): a batch needs the same number of points and both or neither with a box or mask");
            }
        }
        int points = first.pointCount();
        boolean box = first.box().isPresent();
        boolean mask = first.mask().isPresent();
        int n = points + (box ? 2 : (points > 0 ? 1 : 0));
        int b = prompts.size();
        float[] coords = new float[b * n * 2];
        int[] codes = new int[b * n];
        float[] masks = mask ? new float[b * ModelPrompt.MASK_SIZE * ModelPrompt.MASK_SIZE] : null;
        for (int i = 0; i < b; i++) {
            ModelPrompt p = prompts.get(i);
            float[] xy = p.points();
            int[] labels = p.labels();
            int e = i * n;
            for (int j = 0; j < points; j++, e++) {
                coords[2 * e] = xy[2 * j];
                coords[2 * e + 1] = xy[2 * j + 1];
                codes[e] = labels[j];
            }
            if (box) {
                float[] c = p.box().orElseThrow();
                coords[2 * e] = c[0];
                coords[2 * e + 1] = c[1];
                codes[e++] = 2;
                coords[2 * e] = c[2];
                coords[2 * e + 1] = c[3];
                codes[e] = 3;
            } else if (points > 0) {
                codes[e] = -1; // padding point at (0, 0)
            }
            if (mask) {
                FloatTensor m = p.mask().orElseThrow();
                m.buffer().get(masks, i * ModelPrompt.MASK_SIZE * ModelPrompt.MASK_SIZE, ModelPrompt.MASK_SIZE * ModelPrompt.MASK_SIZE);
            }
        }
        return new PromptBatch(b, n, coords, codes, masks);
    }

    boolean hasMask() {
        return masks != null;
    }
}
