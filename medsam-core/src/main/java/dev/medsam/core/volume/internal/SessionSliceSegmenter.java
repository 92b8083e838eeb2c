package dev.medsam.core.volume.internal;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.EncodedImage;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.volume.SliceSegmenter;
import dev.medsam.core.volume.VolumeSlice;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** {@link SliceSegmenter} over a {@link SegmentationSession}: one (cached) encode per call, one batched decode. */
public final class SessionSliceSegmenter implements SliceSegmenter {

    private final SegmentationSession session;

    public SessionSliceSegmenter(SegmentationSession session) {
        this.session = Objects.requireNonNull(session, "session");
    }

    @Override
    public List<BinaryMask> segment(VolumeSlice slice, List<Box> boxes) {
        // The volume already went through its preset; the plane is 8-bit and must stay as it is.
        EncodedImage encoded = session.encode(slice.image(), IntensityPreset.asIs(), slice.cacheKey());
        List<Prompts> prompts = new ArrayList<>(boxes.size());
        for (Box b : boxes) {
            prompts.add(Prompts.of(b));
        }
        List<Segmentation> results = session.segment(encoded, prompts, false);
        List<BinaryMask> masks = new ArrayList<>(results.size());
        for (Segmentation s : results) {
            masks.add(s.binary());
        }
        return masks;
    }

    @Override
    public String toString() {
        return "SliceSegmenter[" + session + "]";
    }
}
