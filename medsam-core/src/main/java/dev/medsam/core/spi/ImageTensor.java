package dev.medsam.core.spi;

import java.util.Objects;

/**
 * The network's input: a preprocessed image of shape (1, 3, 1024, 1024), float32, NCHW, in the model frame.
 * MedSAM's preprocessing gives values in [0, 1]; SAM's gives mean/std-normalised, zero-padded values.
 * Produced by the pipeline; users rarely build one by hand.
 *
 * @param tensor the (1, 3, size, size) values
 */
public record ImageTensor(FloatTensor tensor) {

    /** Side of the square model frame for SAM and MedSAM. */
    public static final int SIZE = 1024;

    /**
     * @throws IllegalArgumentException if the shape is not (1, 3, 1024, 1024) or a value is not finite
     */
    public ImageTensor {
        Objects.requireNonNull(tensor, "image tensor");
        if (!tensor.hasShape(1, 3, SIZE, SIZE)) {
            throw new IllegalArgumentException("the image encoder takes a (1, 3, " + SIZE + ", " + SIZE
                    + ") float32 tensor, got " + tensor);
        }
        for (int i = 0; i < tensor.size(); i++) {
            if (!Float.isFinite(tensor.get(i))) {
                throw new IllegalArgumentException("image tensor value " + tensor.get(i) + " at flat index " + i
                        + " is not finite");
            }
        }
    }
}
