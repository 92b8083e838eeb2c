package dev.medsam.core.spi;

import dev.medsam.core.SegmentationSession;

/**
 * The image encoder (SAM's ViT): a preprocessed image in, its embedding out. The expensive step: run it once
 * per image and prompt the embedding many times ({@link SegmentationSession} does this for you).
 *
 * <p>Implementations are thread-safe.
 */
public interface ImageEncoder {

    /**
     * Encodes one image.
     *
     * @throws IllegalStateException if the model was closed
     * @throws BackendException      if the backend fails
     */
    ImageEmbedding encode(ImageTensor image);
}
