package dev.medsam.core.internal;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.ProbabilityMask;

import java.util.Objects;

/**
 * One predicted mask brought back to the original image's size.
 *
 * @param probability per-pixel probability (the sigmoid of the logits)
 * @param binary      the object pixels as the pipeline thresholds them (MedSAM: probability above 0.5,
 *                    SAM: logit above 0)
 */
public record OriginalSizeMasks(ProbabilityMask probability, BinaryMask binary) {

    public OriginalSizeMasks {
        Objects.requireNonNull(probability, "probability");
        Objects.requireNonNull(binary, "binary");
    }
}
