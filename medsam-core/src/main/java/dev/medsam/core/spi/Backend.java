package dev.medsam.core.spi;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.StateDict;

/**
 * A started backend: builds networks from weights. Owns native resources; close it (and every model it built)
 * when done. {@link #close()} is idempotent.
 */
public interface Backend extends AutoCloseable {

    /** The provider's name. */
    String name();

    /** The options it was opened with. */
    BackendOptions options();

    /**
     * Builds the network for {@code architecture} (a SAM ViT or LiteMedSAM's TinyViT encoder with SAM's prompt
     * encoder and mask decoder) and uploads the weights.
     *
     * @throws dev.medsam.core.spi.BackendException with kind {@code INCOMPATIBLE_MODEL} if the weights do not fit
     *                                          or the backend cannot build this kind of architecture
     * @throws IllegalStateException            if the backend was closed
     */
    SamModel load(ModelArchitecture architecture, StateDict weights);

    @Override
    void close();
}
