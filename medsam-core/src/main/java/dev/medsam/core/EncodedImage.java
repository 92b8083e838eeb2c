package dev.medsam.core;

import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.ImageEmbedding;

import java.util.Objects;

/**
 * An image that a {@link SegmentationSession} has run through the image encoder: its embedding, its size, the
 * pipeline that preprocessed it, and the key it is cached under. Prompt it as often as you like with
 * {@link SegmentationSession#segment(EncodedImage, java.util.List, boolean)}; it stays valid when the session's
 * cache evicts it (only re-encoding is then needed for {@code encode} to find it again). Only a session makes
 * one ({@link SegmentationSession#encode}, or {@link SegmentationSession#encoded} for an embedding from
 * elsewhere). Immutable and thread-safe; lives on the Java heap (about 4 MB for the embedding). Two instances
 * are equal only if they are the same object, as two encoder runs are two results.
 */
public final class EncodedImage {

    private final ImageEmbedding embedding;
    // The geometry between the image and the network's frame; internal, so reached only from this package.
    private final ModelFrame frame;
    private final String cacheKey;

    EncodedImage(ImageEmbedding embedding, ModelFrame frame, String cacheKey) {
        this.embedding = Objects.requireNonNull(embedding, "embedding");
        this.frame = Objects.requireNonNull(frame, "frame");
        this.cacheKey = Objects.requireNonNull(cacheKey, "cache key");
    }

    /** The (1, 256, 64, 64) image embedding, on the Java heap. */
    public ImageEmbedding embedding() {
        return embedding;
    }

    /**
     * The identity the session caches it under: a content hash of the image, its preset and the pipeline
     * ({@code sha256:...}), the caller's key ({@code caller:...}), or {@code external:...} for an embedding
     * wrapped with {@link SegmentationSession#encoded}.
     */
    public String cacheKey() {
        return cacheKey;
    }

    /** The pipeline that preprocessed the image (and that maps its prompts and masks). */
    public Pipeline pipeline() {
        return frame.pipeline();
    }

    /** Image width in pixels. */
    public int width() {
        return frame.width();
    }

    /** Image height in pixels. */
    public int height() {
        return frame.height();
    }

    /** The mapping between the image's pixels and the network's frame, for the session. */
    ModelFrame frame() {
        return frame;
    }

    @Override
    public String toString() {
        return "EncodedImage[" + width() + "x" + height() + ", " + pipeline() + ", " + cacheKey + "]";
    }
}
