package dev.medsam.core.spi;

import java.util.Objects;

/**
 * The network's input: a preprocessed square image of shape (1, 3, S, S), float32, NCHW, in the model frame;
 * S is the architecture's {@link dev.medsam.core.checkpoint.ModelArchitecture#imageSize()}: {@value #SIZE} for SAM
 * and MedSAM, {@value #LITE_SIZE} for LiteMedSAM. MedSAM's and LiteMedSAM's preprocessing give values in [0, 1];
 * SAM's gives mean/std-normalised, zero-padded values. Produced by the pipeline; users rarely build one by hand.
 *
 * @param tensor the (1, 3, S, S) values
 */
public record ImageTensor(FloatTensor tensor) {

    /** Side of the square model frame for SAM and MedSAM. */
    public static final int SIZE = 1024;
    /** Side of the square model frame for LiteMedSAM. */
    public static final int LITE_SIZE = 256;

    /**
     * @throws IllegalArgumentException if the shape is not (1, 3, S, S) with S = 1024 or 256, or a value is not
     *                                  finite
     */
    public ImageTensor {
        Objects.requireNonNull(tensor, "image tensor");
        if (!tensor.hasShape(1, 3, SIZE, SIZE) && !tensor.hasShape(1, 3, LITE_SIZE, LITE_SIZE)) {
            throw new IllegalArgumentException("the image encoder takes a (1, 3, " + SIZE + ", " + SIZE
                    + ") float32 tensor (SAM, MedSAM) or a (1, 3, " + LITE_SIZE + ", " + LITE_SIZE
                    + ") one (LiteMedSAM), got " + tensor);
        }
        for (int i = 0; i < tensor.size(); i++) {
            if (!Float.isFinite(tensor.get(i))) {
                throw new IllegalArgumentException("image tensor value " + tensor.get(i) + " at flat index " + i
                        + " is not finite");
            }
        }
    }

    /** Side S of the square image, in pixels. */
    public int size() {
        return tensor.dim(2);
    }
}
