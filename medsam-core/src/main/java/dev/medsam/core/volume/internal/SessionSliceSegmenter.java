package dev.medsam.core.volume.internal;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.EncodedImage;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.volume.SliceSegmenter;
import dev.medsam.core.volume.VolumeSlice;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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

    /** Whether the session runs LiteMedSAM, whose 3D protocol derives boxes in the 256 frame. */
    public boolean liteMedSam() {
        return session.pipeline() == Pipeline.LITE_MEDSAM;
    }

    /**
     * As {@link #segment(VolumeSlice, List)}, where {@code frameBoxes.get(i)}, when present, is object i's box
     * already in the model frame (x0, y0, x1, y1) and replaces {@code boxes.get(i)}.
     */
    public List<BinaryMask> segment(VolumeSlice slice, List<Box> boxes, List<Optional<float[]>> frameBoxes) {
        if (boxes.size() != frameBoxes.size()) {
            throw new IllegalArgumentException(boxes.size() + " boxes but " + frameBoxes.size() + " frame boxes");
        }
        EncodedImage encoded = session.encode(slice.image(), IntensityPreset.asIs(), slice.cacheKey());
        // the frame is a function of pipeline and size, so it is rebuilt here rather than exposed by EncodedImage
        ModelFrame frame = ModelFrame.of(encoded.pipeline(), encoded.width(), encoded.height());
        List<ModelPrompt> prompts = new ArrayList<>(boxes.size());
        for (int i = 0; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            prompts.add(frameBoxes.get(i).map(f -> ModelPrompt.builder().box(f).build())
                    .orElseGet(() -> frame.toModel(Prompts.of(b))));
        }
        List<Segmentation> results = session.segmentInModelFrame(encoded, prompts, false);
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
