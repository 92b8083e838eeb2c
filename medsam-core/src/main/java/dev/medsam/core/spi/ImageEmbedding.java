package dev.medsam.core.spi;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The image encoder's output for one image: shape (1, 256, 64, 64), float32. Each embedding carries a
 * process-unique {@link #id()} so that a backend may cache per-image work derived from it.
 *
 * @param tensor the (1, 256, 64, 64) values
 * @param id     identity of this embedding, unique within the JVM
 */
public record ImageEmbedding(FloatTensor tensor, long id) {

    /** Channels of the embedding. */
    public static final int CHANNELS = 256;
    /** Side of the embedding grid (1024 / patch size 16 for SAM; LiteMedSAM's TinyViT ends on the same grid). */
    public static final int GRID = 64;

    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    public ImageEmbedding {
        Objects.requireNonNull(tensor, "embedding tensor");
        if (!tensor.hasShape(1, CHANNELS, GRID, GRID)) {
            throw new IllegalArgumentException("an image embedding has shape (1, 256, 64, 64), got " + tensor);
        }
    }

    /** Wraps encoder output with a fresh id. */
    public static ImageEmbedding of(FloatTensor tensor) {
        return new ImageEmbedding(tensor, NEXT_ID.getAndIncrement());
    }
}
