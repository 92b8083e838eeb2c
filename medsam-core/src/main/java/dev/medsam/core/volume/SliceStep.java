package dev.medsam.core.volume;

import dev.medsam.core.Box;

import java.util.Objects;

/**
 * One slice of one object's propagation.
 *
 * @param slice  the slice index along the slicing axis
 * @param box    the box the slice was segmented with, in the slice's pixels
 * @param source where that box came from
 * @param pixels object pixels in the slice's mask (0: empty)
 */
public record SliceStep(int slice, Box box, BoxSource source, long pixels) {

    public SliceStep {
        Objects.requireNonNull(box, "box");
        Objects.requireNonNull(source, "source");
        if (slice < 0 || pixels < 0) {
            throw new IllegalArgumentException("slice " + slice + " with " + pixels + " pixels is not a valid step");
        }
    }
}
