package dev.medsam.tensorflow.internal;

import java.util.Locale;

/** Arithmetic used for the large matrix products. Everything else (norms, softmax, GELU, sums) stays float32. */
enum Precision {
    /** Float32 everywhere: the parity configuration. */
    FP32,
    /**
     * Matrix products in bfloat16 with float32 outputs (weights stored as bfloat16, activations rounded to
     * bfloat16 right before each product). Faster on CPUs with AVX-512 BF16 / AMX; not bit-compatible with the
     * reference.
     */
    BF16;

    /** Key of the backend option selecting it. */
    static final String OPTION = "precision";

    /**
     * Parses the {@code precision} option value.
     *
     * @throws IllegalArgumentException for anything but {@code fp32} or {@code bf16} (case-insensitive)
     */
    static Precision parse(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "fp32":
            case "float32":
                return FP32;
            case "bf16":
            case "bfloat16":
                return BF16;
            default:
                throw new IllegalArgumentException("backend option " + OPTION + "=" + value
                        + " is not supported; use fp32 (default) or bf16");
        }
    }
}
