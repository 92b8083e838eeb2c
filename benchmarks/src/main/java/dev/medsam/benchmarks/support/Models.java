package dev.medsam.benchmarks.support;

import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.FormulaWeights;

import java.util.List;

/**
 * The TensorFlow backend and models the benchmarks run, opened through core's SPI (benchmarks do not import
 * TensorFlow). Thread settings are explicit so that every figure states them.
 */
public final class Models {

    /** The backend every model benchmark uses. */
    public static final String BACKEND = "tensorflow";

    /**
     * SAM's encoder shape of the "tiny" parity model (embed 96, depth 4, heads 3, window 14, global blocks 1 and
     * 3); its prompt encoder and mask decoder are ViT-B's. The same layout as the committed tiny_sam.pth.
     */
    public static final SamArchitecture TINY = new SamArchitecture("custom", 96, 4, 3, 14, List.of(1, 3));

    private Models() {
    }

    /**
     * Opens the TensorFlow backend on the CPU.
     *
     * @param precision {@code fp32} or {@code bf16} (the backend's {@code precision} option)
     */
    public static Backend openBackend(int intraOpThreads, int interOpThreads, String precision) {
        BackendOptions options = BackendOptions.builder()
                .intraOpThreads(intraOpThreads)
                .interOpThreads(interOpThreads)
                .extra("precision", precision)
                .build();
        return Backends.open(BACKEND, options);
    }

    /** ViT-B with the parity fixtures' formula weights (built in memory, about 375 MB of heap). */
    public static SamModel vitB(Backend backend) {
        return backend.load(SamArchitecture.VIT_B, FormulaWeights.vitB());
    }

    /** The tiny model with formula weights (random-like values in the tiny layout; about 22 MB). */
    public static SamModel tiny(Backend backend) {
        StateDict weights = FormulaWeights.build(TINY);
        return backend.load(TINY, weights);
    }
}
