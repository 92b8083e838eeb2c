package dev.medsam.core;

import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.spi.ImageEmbedding;

import java.util.Objects;

/**
 * An image that a {@link SegmentationSession} has run through the image encoder: its embedding, the frame that
 * maps prompts and masks between the image and the network, and the key it is cached under. Prompt it as
 * often as you like with {@link SegmentationSession#segment(EncodedImage, java.util.List, boolean)}; it stays
 * valid when the session's cache evicts it (only re-encoding is then needed for {@code encode} to find it
 * again). Immutable; lives on the Java heap (about 4 MB for the embedding).
 *
 * @param embedding the (1, 256, 64, 64) image embedding
 * @param frame     the mapping for the image's size and the session's pipeline
 * @param cacheKey  the identity the session caches it under: a content hash of the image, its preset and the
 *                  pipeline, or the caller's key
 */
public record EncodedImage(ImageEmbedding embedding, ModelFrame frame, String cacheKey) {

    public EncodedImage {
        Objects.requireNonNull(embedding, "embedding");
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(cacheKey, "cache key");
    }

    /** Image width in pixels. */
    public int width() {
        return frame.width();
    }

    /** Image height in pixels. */
    public int height() {
        return frame.height();
    }
}
