package dev.medsam.core.pipeline;


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
}
