package dev.medsam.core.volume;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;

import java.util.Objects;

/**
 * One slice plane handed to a {@link SliceSegmenter}.
 *
 * @param image    the 8-bit plane (grey or RGB), 2D, from {@link MedicalImage#plane(int, int, int)} of the volume
 *                 after the intensity preset
 * @param axis     the slicing axis (0, 1 or 2)
 * @param index    the slice index along that axis
 * @param cacheKey identifies the plane's content: equal keys mean equal planes (a hash of the 8-bit volume, the
 *                 axis and the index), for embedding caches
 */
public record VolumeSlice(MedicalImage image, int axis, int index, String cacheKey) {

    /** @throws IllegalArgumentException if the image is not an 8-bit 2D plane or the indices are out of range */
    public VolumeSlice {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(cacheKey, "cache key");
        if (image.rank() != 2 || image.dataType() != DataType.UINT8) {
            throw new IllegalArgumentException("a volume slice is an 8-bit 2D plane, got " + image);
        }
        if (axis < 0 || axis > 2 || index < 0) {
            throw new IllegalArgumentException("slice " + index + " along axis " + axis + " is out of range");
        }
    }
}
