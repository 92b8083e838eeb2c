package dev.medsam.core.internal;

import dev.medsam.core.spi.ImageTensor;

import java.util.Objects;

/**
 * A preprocessed image: the network input and the frame that maps prompts and masks between the image and
 * the network.
 *
 * @param tensor the (1, 3, 1024, 1024) input for the image encoder
 * @param frame  the mapping for this image's size and pipeline
 */
public record PreparedImage(ImageTensor tensor, ModelFrame frame) {

    public PreparedImage {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(frame, "frame");
    }
}
