package dev.medsam.core.spi;

import java.util.List;

/**
 * SAM's prompt encoder: points, boxes and mask prompts (in the model frame: 1024 for SAM and MedSAM, 256 for
 * LiteMedSAM) to sparse and dense embeddings. Implementations are thread-safe.
 */
public interface PromptEncoder {

    /**
     * Encodes a batch of prompts of the same structure ({@link ModelPrompt#sameStructureAs}).
     *
     * @throws IllegalArgumentException if the batch is empty or mixes structures
     * @throws IllegalStateException    if the model was closed
     */
    PromptEmbeddings encode(List<ModelPrompt> batch);

    /** The dense positional encoding of the 64x64 embedding grid, (1, 256, 64, 64) (SAM's get_dense_pe). */
    FloatTensor densePositionalEncoding();
}
