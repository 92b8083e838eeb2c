package dev.medsam.core.volume;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.volume.internal.SessionSliceSegmenter;

import java.util.List;

/**
 * The 2D step of a 3D segmentation: segments boxes on one slice plane. {@link VolumeSegmenter} calls it once per
 * slice visit with the boxes of every object that needs that slice, so one image embedding serves all of them.
 *
 * <p>In production this is {@link #of(SegmentationSession)}; tests and other models can implement it (for
 * example with a deterministic fake, to check propagation logic without a network).
 */
@FunctionalInterface
public interface SliceSegmenter {

    /**
     * Segments each box on {@code slice}.
     *
     * @param slice an 8-bit slice plane (the intensity preset already applied to the whole volume)
     * @param boxes one box per object, in the slice's pixels; at least one
     * @return one mask per box, in the same order, each of the slice's size
     */
    List<BinaryMask> segment(VolumeSlice slice, List<Box> boxes);

    /**
     * Slices segmented by {@code session}: each slice is encoded with {@link
     * dev.medsam.core.pipeline.IntensityPreset#asIs()} under the slice's {@link VolumeSlice#cacheKey()} (so the
     * session's cache shares embeddings across objects and repeated runs on the same volume), then all boxes are
     * decoded in one batch with single-mask output, MedSAM's way. The session stays the caller's to close.
     */
    static SliceSegmenter of(SegmentationSession session) {
        return new SessionSliceSegmenter(session);
    }
}
