package dev.medsam.core.spi;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageEncoder;
import dev.medsam.core.spi.MaskDecoder;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEncoder;

import java.util.List;

/**
 * A built SAM-family network with its weights, split as the reference splits it: SAM and MedSAM (ViT encoder,
 * 1024 input frame) or LiteMedSAM (TinyViT encoder, 256 input frame), all with SAM's prompt encoder and mask
 * decoder on a (1, 256, 64, 64) embedding. Owns native memory; thread-safe;
 * {@link #close()} is idempotent and waits for calls in flight, after which every call throws
 * {@link IllegalStateException}.
 */
public interface SamModel extends AutoCloseable {

    /**
     * The architecture this model was built for; its {@link ModelArchitecture#imageSize()} is the side of the
     * {@link ImageTensor} the encoder takes and of the frame {@link ModelPrompt}s are in.
     */
    ModelArchitecture architecture();

    ImageEncoder imageEncoder();

    PromptEncoder promptEncoder();

    MaskDecoder maskDecoder();

    /**
     * Prompt encoder and mask decoder in one step for a batch of same-structure prompts: the same result as
     * {@code maskDecoder().decode(image, promptEncoder().encode(batch), multimask)}, without handing the
     * intermediate embeddings back to Java.
     */
    MaskPrediction predict(ImageEmbedding image, List<ModelPrompt> batch, boolean multimask);

    @Override
    void close();
}
