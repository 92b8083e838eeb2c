package dev.medsam.core.internal;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.pipeline.internal.LiteMedSamPreprocess;
import dev.medsam.core.pipeline.internal.Preprocess;
import dev.medsam.core.spi.ImageTensor;

import java.util.Objects;

/**
 * A preprocessed image: the network input and the frame that maps prompts and masks between the image and
 * the network.
 *
 * @param tensor the (1, 3, S, S) input for the image encoder (S = 1024, or 256 for LiteMedSAM)
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
            case LITE_MEDSAM -> new PreparedImage(liteMedSam(image), frame);
        };
    }

    /** LiteMedSAM's input: the colour planes interleaved (grey stays one channel; the resize treats each alike). */
    private static ImageTensor liteMedSam(MedicalImage image) {
        byte[][] planes = Preprocess.planes(image);
        int channels = planes.length;
        int n = image.width() * image.height();
        byte[] pixels = new byte[n * channels];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                pixels[i * channels + c] = planes[c][i];
            }
        }
        return new ImageTensor(LiteMedSamPreprocess.input(pixels, image.width(), image.height(), channels));
    }

    /** Applies {@code preset} (for example a CT window), then {@link #of(Pipeline, MedicalImage)}. */
    public static PreparedImage of(Pipeline pipeline, MedicalImage image, IntensityPreset preset) {
        Objects.requireNonNull(preset, "preset");
        return of(pipeline, preset.apply(Objects.requireNonNull(image, "image")));
    }
}
