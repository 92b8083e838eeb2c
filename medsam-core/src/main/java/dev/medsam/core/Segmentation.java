package dev.medsam.core;

import dev.medsam.core.spi.ImageEmbedding;

import java.util.List;
import java.util.Objects;

/**
 * The result for one object: its candidate masks (one, or three with multimask output) and the image they
 * belong to. The convenience accessors return the {@link #best()} candidate's values. Immutable; lives on the
 * Java heap.
 *
 * @param prompts    the object's prompt, in original pixels, as given
 * @param candidates the decoder's masks: one with single-mask output, three (SAM's tokens 1..3) with multimask
 * @param image      the encoded image (its embedding can be saved and reused)
 */
public record Segmentation(Prompts prompts, List<MaskCandidate> candidates, EncodedImage image) {

    public Segmentation {
        Objects.requireNonNull(prompts, "prompts");
        Objects.requireNonNull(image, "image");
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("a segmentation has at least one candidate mask");
        }
    }

    /** The candidate with the highest predicted IoU (the first one on ties), as SAM chooses. */
    public MaskCandidate best() {
        MaskCandidate best = candidates.get(0);
        for (MaskCandidate c : candidates) {
            if (c.iou() > best.iou()) {
                best = c;
            }
        }
        return best;
    }

    /** The best candidate's mask at the original image size. */
    public BinaryMask binary() {
        return best().binary();
    }

    /** The best candidate's probabilities at the original image size. */
    public ProbabilityMask probability() {
        return best().probability();
    }

    /** The best candidate's 256x256 logits. */
    public MaskLogits lowResLogits() {
        return best().lowResLogits();
    }

    /** The best candidate's predicted IoU. */
    public float iou() {
        return best().iou();
    }

    /** The image embedding the masks were decoded from. */
    public ImageEmbedding embedding() {
        return image.embedding();
    }
}
