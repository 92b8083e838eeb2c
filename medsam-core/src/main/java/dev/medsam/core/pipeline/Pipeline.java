package dev.medsam.core.pipeline;


import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.TinyVitArchitecture;

import java.util.Objects;

/**
 * How an image and its prompts become network inputs, and the decoder's logits become masks. Three recipes
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
 *   <li>{@link #LITE_MEDSAM} (CVPR24_LiteMedSAM_infer.py, for LiteMedSAM checkpoints): OpenCV INTER_AREA resize so
 *       that the longest side is 256 ({@code int(side * 256 / max(H, W) + 0.5)}), min-max of the resized image to
 *       [0, 1], zero padding at the bottom and right to 256x256; box corners mapped with
 *       {@code int(v * 256 / max(H, W))}; the 256x256 logits cropped to the resized size, resized bilinearly to
 *       the image size, sigmoid, thresholded at 0.5.</li>
 * </ul>
 * All take an 8-bit grey or RGB(A) 2D image (alpha is dropped); bring other data to 8 bits with an
 * {@link IntensityPreset} first. {@link #MEDSAM} and {@link #SAM} feed a 1024 encoder (SAM and MedSAM's ViT),
 * {@link #LITE_MEDSAM} the 256 one (LiteMedSAM's TinyViT); {@link #defaultFor(ModelArchitecture)} picks the
 * reference recipe of a model. Stateless and thread-safe.
 */
public enum Pipeline {
    /** MedSAM's own preprocessing and postprocessing. */
    MEDSAM,
    /** Segment Anything's predictor preprocessing and postprocessing. */
    SAM,
    /** LiteMedSAM's (the CVPR 2024 "MedSAM on Laptop" reference's) preprocessing and postprocessing. */
    LITE_MEDSAM;

    /** Side of the square network input this pipeline prepares, in pixels: 1024, or 256 for {@link #LITE_MEDSAM}. */
    public int inputSize() {
        return this == LITE_MEDSAM ? TinyVitArchitecture.IMAGE_SIZE : SamArchitecture.IMAGE_SIZE;
    }

    /**
     * The name of the model family this pipeline belongs to, as written into outputs that record the algorithm
     * (a DICOM SEG's Segment Algorithm Name): {@code MedSAM}, {@code SAM} or {@code LiteMedSAM}.
     */
    public String modelName() {
        return switch (this) {
            case MEDSAM -> "MedSAM";
            case SAM -> "SAM";
            case LITE_MEDSAM -> "LiteMedSAM";
        };
    }

    /** Whether this pipeline prepares input for {@code architecture}: its input sizes match. */
    public boolean fits(ModelArchitecture architecture) {
        return Objects.requireNonNull(architecture, "architecture").imageSize() == inputSize();
    }

    /**
     * The reference pipeline of a model: {@link #MEDSAM} for a SAM ViT encoder (MedSAM checkpoints; plain SAM
     * checkpoints look the same and need {@link #SAM} chosen explicitly), {@link #LITE_MEDSAM} for TinyViT.
     */
    public static Pipeline defaultFor(ModelArchitecture architecture) {
        Objects.requireNonNull(architecture, "architecture");
        return architecture instanceof TinyVitArchitecture ? LITE_MEDSAM : MEDSAM;
    }
}
