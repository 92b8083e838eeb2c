package dev.medsam.core.spi;

import java.util.Objects;

/**
 * The mask decoder's output for B prompts: C masks per prompt (1, or 3 with multimask output) as 256x256
 * low-resolution logits, and the predicted IoU of each.
 *
 * @param logits (B, C, 256, 256)
 * @param iou    (B, C)
 */
public record MaskPrediction(FloatTensor logits, FloatTensor iou) {

    /** Side of the low-resolution logits. */
    public static final int LOW_RES = 256;

    public MaskPrediction {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(iou, "iou");
        if (logits.rank() != 4 || logits.dim(2) != LOW_RES || logits.dim(3) != LOW_RES) {
            throw new IllegalArgumentException("logits have shape (B, C, 256, 256), got " + logits);
        }
        if (!iou.hasShape(logits.dim(0), logits.dim(1))) {
            throw new IllegalArgumentException("iou has shape (" + logits.dim(0) + ", " + logits.dim(1) + "), got " + iou);
        }
    }

    /** Number of prompts B. */
    public int batchSize() {
        return logits.dim(0);
    }

    /** Masks per prompt C. */
    public int masksPerPrompt() {
        return logits.dim(1);
    }

    /** Low-resolution logits of mask {@code mask} of prompt {@code prompt}: a copy of shape (256, 256). */
    public FloatTensor logits(int prompt, int mask) {
        checkIndex(prompt, mask);
        int plane = LOW_RES * LOW_RES;
        float[] values = new float[plane];
        logits.buffer().position((prompt * masksPerPrompt() + mask) * plane).get(values);
        return FloatTensor.wrap(new int[] {LOW_RES, LOW_RES}, values);
    }

    /** Predicted IoU of mask {@code mask} of prompt {@code prompt}. */
    public float iou(int prompt, int mask) {
        checkIndex(prompt, mask);
        return iou.get(prompt * masksPerPrompt() + mask);
    }

    /** Index of the mask with the highest predicted IoU for {@code prompt} (the first one on ties). */
    public int bestMask(int prompt) {
        int best = 0;
        for (int c = 1; c < masksPerPrompt(); c++) {
            if (iou(prompt, c) > iou(prompt, best)) {
                best = c;
            }
        }
        return best;
    }

    private void checkIndex(int prompt, int mask) {
        if (prompt < 0 || prompt >= batchSize() || mask < 0 || mask >= masksPerPrompt()) {
            throw new IndexOutOfBoundsException("mask (" + prompt + ", " + mask + ") outside " + batchSize()
                    + " prompts x " + masksPerPrompt() + " masks");
        }
    }
}
