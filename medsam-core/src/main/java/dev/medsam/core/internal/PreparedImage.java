package dev.medsam.core.internal;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.pipeline.internal.Preprocess;
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

    /**
     * Preprocesses an 8-bit 2D image (grey, grey + alpha, RGB or RGBA) into the network input of
     * {@code pipeline}.
     *
     * @throws IllegalArgumentException if the image is not 8-bit unsigned or has more than one plane
     */
    public static PreparedImage of(Pipeline pipeline, MedicalImage image) {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(image, "image");
        Preprocess.requireUint8Plane(image);
        ModelFrame frame = ModelFrame.of(pipeline, image.width(), image.height());
        return switch (pipeline) {
            case MEDSAM -> new PreparedImage(Preprocess.medsam(image), frame);
            case SAM -> new PreparedImage(Preprocess.sam(image, frame.resizedWidth(), frame.resizedHeight()), frame);
        };
    }

    /** Applies {@code preset} (for example a CT window), then {@link #of(Pipeline, MedicalImage)}. */
    public static PreparedImage of(Pipeline pipeline, MedicalImage image, IntensityPreset preset) {
        Objects.requireNonNull(preset, "preset");
        return of(pipeline, preset.apply(Objects.requireNonNull(image, "image")));
    }
}
