package dev.medsam.core;

import java.util.Objects;

/**
 * One mask the decoder proposed for one object.
 *
 * @param lowResLogits the decoder's 256x256 logits in the model frame (feed them back as a {@link MaskPrompt}
 *                     to refine)
 * @param probability  per-pixel probability at the original image size
 * @param binary       the object at the original image size, thresholded as the session's pipeline does
 * @param iou          the decoder's own estimate of this mask's IoU with the object (MedSAM ignores it; with
 *                     several candidates it picks the best)
 */
public record MaskCandidate(MaskLogits lowResLogits, ProbabilityMask probability, BinaryMask binary, float iou) {

    public MaskCandidate {
        Objects.requireNonNull(lowResLogits, "low-res logits");
        Objects.requireNonNull(probability, "probability");
        Objects.requireNonNull(binary, "binary");
    }
}
