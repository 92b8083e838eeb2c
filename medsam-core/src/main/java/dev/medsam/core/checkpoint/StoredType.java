package dev.medsam.core.checkpoint;

/** How a tensor's values were stored in the checkpoint file. They are always handed out as float32. */
public enum StoredType {
    /** IEEE float32. */
    F32,
    /** IEEE float16 (half), widened exactly to float32. */
    F16,
    /** bfloat16, widened exactly to float32. */
    BF16
}
