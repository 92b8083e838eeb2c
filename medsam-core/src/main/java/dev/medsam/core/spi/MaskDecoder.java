package dev.medsam.core.spi;

/**
 * SAM's mask decoder: an image embedding and a batch of prompt embeddings to low-resolution mask logits and
 * IoU predictions. Implementations are thread-safe.
 */
public interface MaskDecoder {

    /**
     * Decodes every prompt of the batch against one image.
     *
     * @param multimask {@code false}: one mask per prompt (mask token 0, what MedSAM uses); {@code true}: three
     *                  (tokens 1..3), as SAM does for ambiguous prompts
     * @throws IllegalStateException if the model was closed
     */
    MaskPrediction decode(ImageEmbedding image, PromptEmbeddings prompts, boolean multimask);
}
