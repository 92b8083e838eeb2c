package dev.medsam.io;

import dev.medsam.core.image.MedicalImage;

import java.util.List;
import java.util.Objects;

/**
 * An image read by {@link MedicalImages#read}, with the format it was recognised as and the recoverable
 * problems met while reading it (one line each, naming the file; they were also logged).
 */
public record LoadedImage(ImageFormat format, MedicalImage image, List<String> warnings) {

    public LoadedImage {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(image, "image");
        warnings = List.copyOf(warnings);
    }
}
