package dev.medsam.core;

import dev.medsam.core.spi.MaskPrediction;

import java.util.Objects;

/**
 * A dense prompt: the low-resolution (256x256) mask logits of an earlier prediction, fed back to refine it
 * (SAM's {@code mask_input}).
 *
 * @param logits 256x256 logits, as {@link MaskPrediction#logits(int, int)} returns them
 * @throws IllegalArgumentException if the logits are not 256x256
 */
public record MaskPrompt(MaskLogits logits) implements Prompt {

    /** Side of the low-resolution mask the prompt encoder accepts. */
    public static final int SIZE = 256;

    public MaskPrompt {
        Objects.requireNonNull(logits, "mask prompt logits");
        if (logits.width() != SIZE || logits.height() != SIZE) {
            throw new IllegalArgumentException("a mask prompt must be " + SIZE + "x" + SIZE + " logits, got "
                    + logits.width() + "x" + logits.height());
        }
    }
}
