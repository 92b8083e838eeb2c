package dev.medsam.server.internal;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.EncodedImage;
import dev.medsam.core.Point;
import dev.medsam.core.Prompt;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.StageListener;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.server.internal.ImageRoot.LoadedVolume;
import dev.medsam.server.internal.Requests.ObjectPrompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One slice's segmentation, on the library's public API only, in the steps {@code medsam segment} takes: the
 * intensity preset over the whole volume (default {@link IntensityPreset#defaultFor} of the volume), the slice
 * of the 8-bit result, the encoder (through the session's cache, keyed by file, slice and preset, so that a
 * slice is encoded once however many requests ask at the same time), boxes and points clipped to the image, one
 * batched decode, masks at the image's size, and the label map with later objects over earlier ones.
 * Thread-safe.
 */
public final class SliceSegmenter {

    private final SegmentationSession session;
    private final ImageRoot root;

    public SliceSegmenter(SegmentationSession session, ImageRoot root) {
        this.session = session;
        this.root = root;
    }

    /** The image, the plane to segment and its encoded form. */
    public record Encoded(LoadedVolume volume, int slice, IntensityPreset preset, MedicalImage rawPlane,
                          EncodedImage image) {
    }

    /** The volume's slice index to use: the requested one, checked; 0 for 2D images. */
    public static int sliceOf(LoadedVolume v, Optional<Integer> requested) {
        if (!v.isVolume()) {
            if (requested.isPresent() && requested.get() != 0) {
                throw HttpError.badRequest("slice: '" + v.path() + "' is a 2D image; leave out slice (or give 0), "
                        + "got " + requested.get());
            }
            return 0;
        }
        int s = requested.orElseThrow(() -> HttpError.badRequest("slice: required for the volume '" + v.path()
                + "' (0.." + (v.slices() - 1) + ")"));
        if (s >= v.slices()) {
            throw HttpError.badRequest("slice: " + s + " is outside 0.." + (v.slices() - 1) + " of '" + v.path()
                    + "'");
        }
        return s;
    }

    /** The preset a request asks for, else the one {@code medsam segment} uses by default. */
    public static IntensityPreset presetFor(LoadedVolume v, Optional<IntensityPreset> window) {
        return window.orElseGet(() -> IntensityPreset.defaultFor(v.image()));
    }

    /** Loads, presets and encodes (or finds cached) the slice; the stages go to {@code timings}. */
    public Encoded encode(String path, Optional<Integer> slice, Optional<IntensityPreset> window,
                          RequestTimings timings) {
        LoadedVolume v = root.load(path);
        int k = sliceOf(v, slice);
        IntensityPreset preset = presetFor(v, window);
        timings.lap("load");
        MedicalImage eight = root.eightBit(v, preset);
        MedicalImage modelView = v.plane(eight, k);
        timings.lap("preprocess");
        EncodedImage encoded;
        try (StageListener.Scope scope = session.listenOnCurrentThread(timings)) {
            // The key names the file's content stamp, slice and preset: equal keys mean equal model inputs.
            encoded = session.encode(modelView, IntensityPreset.asIs(), v.key() + "|slice " + k + "|" + preset);
        }
        timings.lap("encode");
        return new Encoded(v, k, preset, v.plane(v.image(), k), encoded);
    }

    /** Segments the objects on an encoded slice; the masks in object order, at the slice's size. */
    public List<BinaryMask> segment(Encoded e, List<ObjectPrompt> objects, RequestTimings timings) {
        int w = e.rawPlane().width();
        int h = e.rawPlane().height();
        List<Prompts> prompts = new ArrayList<>(objects.size());
        for (int i = 0; i < objects.size(); i++) {
            prompts.add(clip(objects.get(i), i, w, h));
        }
        List<Segmentation> result;
        try (StageListener.Scope scope = session.listenOnCurrentThread(timings)) {
            result = session.segment(e.image(), prompts, false);
        }
        timings.lap("decode");
        List<BinaryMask> masks = new ArrayList<>(result.size());
        for (Segmentation s : result) {
            masks.add(s.binary());
        }
        return masks;
    }

    /**
     * Boxes and points clipped to the image, as {@code medsam segment} clips them; a box wholly outside is a 400
     * naming the object.
     */
    static Prompts clip(ObjectPrompt o, int index, int w, int h) {
        List<Prompt> parts = new ArrayList<>();
        if (o.box().isPresent()) {
            Box b = o.box().get();
            double x0 = Math.min(Math.max(b.x0(), 0), w);
            double y0 = Math.min(Math.max(b.y0(), 0), h);
            double x1 = Math.min(Math.max(b.x1(), 0), w);
            double y1 = Math.min(Math.max(b.y1(), 0), h);
            if (!(x1 > x0) || !(y1 > y0)) {
                throw HttpError.badRequest("boxes[" + index + "]: [" + Requests.num(b.x0()) + ", "
                        + Requests.num(b.y0()) + ", " + Requests.num(b.x1()) + ", " + Requests.num(b.y1())
                        + "] lies outside the " + w + "x" + h + " image");
            }
            parts.add(x0 != b.x0() || y0 != b.y0() || x1 != b.x1() || y1 != b.y1() ? new Box(x0, y0, x1, y1) : b);
        }
        for (Point p : o.points()) {
            parts.add(new Point(Math.min(Math.max(p.x(), 0), w), Math.min(Math.max(p.y(), 0), h), p.label()));
        }
        return Prompts.of(parts);
    }
}
