package dev.medsam.core.spi;

import java.util.Objects;

/**
 * The prompt encoder's output for a batch of B prompts.
 *
 * @param sparse (B, N, 256): one token per point, two per box corner pair, padding where SAM adds it
 * @param dense  (B, 256, 64, 64): the embedded mask prompt, or the learned no-mask embedding broadcast
 */
public record PromptEmbeddings(FloatTensor sparse, FloatTensor dense) {

    public PromptEmbeddings {
        Objects.requireNonNull(sparse, "sparse embeddings");
        Objects.requireNonNull(dense, "dense embeddings");
        if (sparse.rank() != 3 || sparse.dim(2) != 256) {
            throw new IllegalArgumentException("sparse embeddings have shape (B, N, 256), got " + sparse);
        }
        if (dense.rank() != 4 || dense.dim(0) != sparse.dim(0) || dense.dim(1) != 256 || dense.dim(2) != 64
                || dense.dim(3) != 64) {
            throw new IllegalArgumentException("dense embeddings have shape (" + sparse.dim(0)
                    + ", 256, 64, 64), got " + dense);
        }
    }

    /** Batch size B. */
    public int batchSize() {
        return sparse.dim(0);
    }
}
