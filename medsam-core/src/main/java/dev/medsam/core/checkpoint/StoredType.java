package dev.medsam.core.checkpoint;

/** How a tensor's values were stored in the checkpoint file. They are always handed out as float32. */
public enum StoredType {
    /** IEEE float32. */
    F32,
    /** IEEE float16 (half), widened exactly to float32. */
    F16,
    /** bfloat16, widened exactly to float32. */
    BF16,
    /**
     * int64, converted to float32 (exact up to 2^24 in magnitude). Checkpoints with BatchNorm (LiteMedSAM's
     * TinyViT) store the {@code num_batches_tracked} counters this way; inference never reads them, they are
     * accepted so that such a file loads as published.
     */
    I64
}
