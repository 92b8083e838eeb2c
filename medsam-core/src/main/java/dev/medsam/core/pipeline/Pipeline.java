package dev.medsam.core.pipeline;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.internal.PreparedImage;
import dev.medsam.core.pipeline.internal.Preprocess;

import java.util.Objects;

/**
 * How an image and its prompts become network inputs, and the decoder's logits become masks. Two recipes
 * exist and give different masks with the same weights, so the choice is explicit:
 *
 * <ul>
 *   <li>{@link #MEDSAM} (MedSAM_Inference.py, what MedSAM checkpoints were trained with): grey repeated to RGB,
 *       skimage's order-3 resize of the whole image to 1024x1024 (the aspect ratio is not kept), uint8
 *       truncation, global min-max to [0, 1]; prompts scaled by {@code 1024 / W} and {@code 1024 / H}; the
 *       sigmoid of the 256x256 logits resized bilinearly straight to the image size and thresholded at 0.5.</li>
 *   <li>{@link #SAM} (Segment Anything's {@code SamPredictor}, for plain SAM checkpoints): Pillow bilinear resize
 *       so that the longest side is 1024, SAM's pixel mean/std normalisation, zero padding to 1024x1024; prompts
 *       scaled by the same factor; logits resized to 1024, cropped to the unpadded part, resized to the image
 *       size and thresholded at 0.</li>
 * </ul>
 * Both take an 8-bit grey or RGB(A) 2D image (alpha is dropped); bring other data to 8 bits with an
 * {@link IntensityPreset} first. Stateless and thread-safe.
 */
public enum Pipeline {
    /** MedSAM's own preprocessing and postprocessing. */
    MEDSAM,
    /** Segment Anything's predictor preprocessing and postprocessing. */
    SAM;

    /** The mapping between an image of {@code width x height} pixels and the model frame. */
    public ModelFrame frame(int width, int height) {
        return ModelFrame.of(this, width, height);
    }

    /**
     * Preprocesses an 8-bit 2D image (grey, grey + alpha, RGB or RGBA) into the network input.
     *
     * @throws IllegalArgumentException if the image is not 8-bit unsigned or has more than one plane
     */
    public PreparedImage prepare(MedicalImage image) {
        Objects.requireNonNull(image, "image");
        Preprocess.requireUint8Plane(image);
        ModelFrame frame = frame(image.width(), image.height());
        return switch (this) {
            case MEDSAM -> new PreparedImage(Preprocess.medsam(image), frame);
            case SAM -> new PreparedImage(Preprocess.sam(image, frame.resizedWidth(), frame.resizedHeight()), frame);
        };
    }

    /** Applies {@code preset} (for example a CT window), then {@link #prepare(MedicalImage)}. */
    public PreparedImage prepare(MedicalImage image, IntensityPreset preset) {
        Objects.requireNonNull(preset, "preset");
        return prepare(preset.apply(Objects.requireNonNull(image, "image")));
    }
}
