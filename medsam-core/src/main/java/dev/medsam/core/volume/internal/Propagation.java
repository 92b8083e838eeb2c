package dev.medsam.core.volume.internal;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.PixelBounds;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.pipeline.internal.LiteMedSamVolume;
import dev.medsam.core.volume.BoxSource;
import dev.medsam.core.volume.CancellationToken;
import dev.medsam.core.volume.ObjectPropagation;
import dev.medsam.core.volume.PropagationListener;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.core.volume.PropagationProgress;
import dev.medsam.core.volume.SliceSegmenter;
import dev.medsam.core.volume.SliceStep;
import dev.medsam.core.volume.VolumePrompt;
import dev.medsam.core.volume.VolumeSegmentation;
import dev.medsam.core.volume.VolumeSlice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * One run of {@link dev.medsam.core.volume.VolumeSegmenter}: validation, the preset on the whole volume, the upward
 * sweep, the downward sweep, and the label volume. See the public class for the rules; this class implements them.
 *
 * <p>With a LiteMedSAM session and the reference margin, a neighbour's mask becomes the next box as the CVPR 2024
 * reference does it ({@link LiteMedSamVolume#boxFromMask}): in the 256 frame, after an INTER_AREA resize of the
 * mask, so that the masks equal the reference's {@code segs}; that box reaches the model unchanged.
 */
public final class Propagation {

    private static final System.Logger LOG = System.getLogger(Propagation.class.getName());

    private final SliceSegmenter segmenter;
    private final MedicalImage source;
    private final List<VolumePrompt> prompts;
    private final PropagationOptions options;
    private final PropagationListener listener;
    private final CancellationToken cancel;
    private final long started = System.nanoTime();

    private MedicalImage volume8;
    private String volumeKey;
    private int axis;
    private int depth;
    private int width;
    private int height;
    private double margin;
    private LabelGrid grid;
    /** LiteMedSAM's session, when its reference box rule applies (else empty: boxes at the slice's resolution). */
    private Optional<SessionSliceSegmenter> lite = Optional.empty();
    private ModelFrame liteFrame;
    private List<Track> tracks;
    private int done;
    private int total;

    public Propagation(SliceSegmenter segmenter, MedicalImage source, List<VolumePrompt> prompts,
                       PropagationOptions options, PropagationListener listener, CancellationToken cancel) {
        this.segmenter = segmenter;
        this.source = source;
        this.prompts = prompts;
        this.options = options;
        this.listener = listener;
        this.cancel = cancel;
    }

    /**
     * The box a neighbour's mask gives the next slice: in the slice's pixels, and for LiteMedSAM's rule also
     * exactly in the model frame (the box the model gets).
     */
    private record NextBox(Box box, Optional<float[]> frame) {
    }

    /** Per object: its prompt, the box the last mask of each pass gives, and its steps. */
    private static final class Track {
        final int label;
        final VolumePrompt prompt;
        final List<SliceStep> steps = new ArrayList<>();
        /** The box from the mask on the slice last done in the upward pass (empty mask: empty). */
        Optional<NextBox> up = Optional.empty();
        /** Same for the downward pass; starts as the start slice's. */
        Optional<NextBox> down = Optional.empty();

        Track(int label, VolumePrompt prompt) {
            this.label = label;
            this.prompt = prompt;
        }
    }

    public VolumeSegmentation run() {
        MedicalImage volume = validateVolume();
        IntensityPreset preset = options.presetFor(source);
        checkCancelled();
        try {
            volume8 = preset.apply(volume);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("intensity preset " + preset.name() + " on " + volume + ": "
                    + e.getMessage(), e);
        }
        volumeKey = VolumeKeys.volumeKey(volume8);
        margin = options.marginPixels(width, height);
        if (segmenter instanceof SessionSliceSegmenter s && s.liteMedSam() && options.margin().isEmpty()) {
            lite = Optional.of(s);
            liteFrame = ModelFrame.of(Pipeline.LITE_MEDSAM, width, height);
        }
        grid = new LabelGrid(new int[] {volume.dim(0), volume.dim(1), volume.dim(2)}, axis, prompts.size());
        tracks = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            tracks.add(new Track(i + 1, prompts.get(i)));
        }
        total = plannedVisits();
        LOG.log(System.Logger.Level.DEBUG, () -> "segmenting " + prompts.size() + " object(s) in " + source
                + " across axis " + axis + " (" + total + " slice visits, margin " + margin + " px, preset "
                + preset.name() + ")");
        upwards();
        downwards();
        List<ObjectPropagation> objects = new ArrayList<>(tracks.size());
        for (Track t : tracks) {
            objects.add(new ObjectPropagation(t.label, t.prompt, t.steps));
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        LOG.log(System.Logger.Level.DEBUG, () -> "segmented " + prompts.size() + " object(s) in " + done
                + " slice visits, " + elapsed.toMillis() + " ms");
        return new VolumeSegmentation(grid.toImage(volume), objects, preset, done, elapsed);
    }

    // ------------------------------------------------------------------------------------------------ checks

    private MedicalImage validateVolume() {
        int[] dims = source.dims();
        if (dims.length < 3) {
            throw new IllegalArgumentException("3D segmentation needs a volume (3 or 4 dimensions); " + source
                    + " is 2D: segment it with SegmentationSession");
        }
        for (int a = 4; a < dims.length; a++) {
            if (dims[a] != 1) {
                throw new IllegalArgumentException("cannot segment a " + dims.length + "D image with dims "
                        + Arrays.toString(dims) + ": only 3D volumes and 4D series are supported");
            }
        }
        int time = options.time();
        if (time >= source.dim(3)) {
            throw new IllegalArgumentException("time index " + time + " is outside 0.." + (source.dim(3) - 1) + " of "
                    + source);
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no objects to segment: give at least one VolumePrompt");
        }
        if (prompts.size() > 0xFFFF) {
            throw new IllegalArgumentException(prompts.size() + " objects do not fit a uint16 label volume (at most 65535)");
        }
        MedicalImage volume = source.volume(time);
        axis = options.axis();
        depth = volume.dim(axis);
        int[] kept = axis == 0 ? new int[] {1, 2} : axis == 1 ? new int[] {0, 2} : new int[] {0, 1};
        width = volume.dim(kept[0]);
        height = volume.dim(kept[1]);
        for (int i = 0; i < prompts.size(); i++) {
            VolumePrompt p = prompts.get(i);
            if (p.lastSlice() >= depth) {
                throw new IllegalArgumentException("object " + (i + 1) + ": slices " + p.firstSlice() + ".."
                        + p.lastSlice() + " reach beyond the " + depth + " slices along axis " + axis + " of " + source);
            }
            for (Map.Entry<Integer, Box> e : p.keyBoxes().entrySet()) {
                Box b = e.getValue();
                if (!(b.x0() < width && b.y0() < height && b.x1() > 0 && b.y1() > 0)) {
                    throw new IllegalArgumentException("object " + (i + 1) + ": key box " + b + " on slice " + e.getKey()
                            + " lies outside the " + width + "x" + height + " slice");
                }
            }
        }
        return volume;
    }

    private void checkCancelled() {
        if (cancel.isCancelled() || Thread.currentThread().isInterrupted()) {
            throw new CancellationException("3D segmentation cancelled after " + done + " of " + total
                    + " slice visits");
        }
    }

    /** Visits within the prompts' ranges: distinct slices of the upward passes plus those of the downward ones. */
    private int plannedVisits() {
        boolean[] up = new boolean[depth];
        boolean[] down = new boolean[depth];
        for (VolumePrompt p : prompts) {
            Arrays.fill(up, p.startSlice(), p.lastSlice() + 1, true);
            Arrays.fill(down, p.firstSlice(), p.startSlice(), true);
        }
        int n = 0;
        for (int z = 0; z < depth; z++) {
            n += (up[z] ? 1 : 0) + (down[z] ? 1 : 0);
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------ sweeps

    private void upwards() {
        int from = Integer.MAX_VALUE;
        int lastInRange = -1;
        for (Track t : tracks) {
            from = Math.min(from, t.prompt.startSlice());
            lastInRange = Math.max(lastInRange, t.prompt.lastSlice());
        }
        int extra = options.maxExtraSlices();
        for (int z = from; z < depth; z++) {
            List<Track> active = new ArrayList<>();
            boolean planned = false;
            for (Track t : tracks) {
                VolumePrompt p = t.prompt;
                if (z < p.startSlice()) {
                    continue;
                }
                if (z <= p.lastSlice()) {
                    active.add(t);
                    planned = true;
                } else if (z <= (long) p.lastSlice() + extra && t.up.isPresent()) {
                    active.add(t);
                }
            }
            if (active.isEmpty()) {
                if (z > lastInRange) {
                    break; // beyond every range and no mask left to follow
                }
                continue;  // a gap between objects' ranges
            }
            visit(z, active, planned, true);
        }
    }

    private void downwards() {
        int from = -1;
        int firstInRange = Integer.MAX_VALUE;
        for (Track t : tracks) {
            from = Math.max(from, t.prompt.startSlice() - 1);
            firstInRange = Math.min(firstInRange, t.prompt.firstSlice());
        }
        int extra = options.maxExtraSlices();
        for (int z = from; z >= 0; z--) {
            List<Track> active = new ArrayList<>();
            boolean planned = false;
            for (Track t : tracks) {
                VolumePrompt p = t.prompt;
                if (z >= p.startSlice()) {
                    continue;
                }
                if (z >= p.firstSlice()) {
                    active.add(t);
                    planned = true;
                } else if (z >= (long) p.firstSlice() - extra && t.down.isPresent()) {
                    active.add(t);
                }
            }
            if (active.isEmpty()) {
                if (z < firstInRange) {
                    break;
                }
                continue;
            }
            visit(z, active, planned, false);
        }
    }

    /** Segments every active object on slice {@code z} with one segmenter call. */
    private void visit(int z, List<Track> active, boolean planned, boolean upwards) {
        checkCancelled();
        if (!planned) {
            total++; // a slice beyond every range, reached by following masks
        }
        List<Box> boxes = new ArrayList<>(active.size());
        List<Optional<float[]>> frameBoxes = new ArrayList<>(active.size());
        List<BoxSource> sources = new ArrayList<>(active.size());
        for (Track t : active) {
            Optional<Box> key = t.prompt.keyBox(z);
            Optional<NextBox> previous = upwards ? t.up : t.down;
            if (key.isPresent()) {
                boxes.add(key.get());
                frameBoxes.add(Optional.empty());
                sources.add(BoxSource.KEY_BOX);
            } else if (previous.isPresent()) {
                boxes.add(previous.get().box());
                frameBoxes.add(previous.get().frame());
                sources.add(BoxSource.PREVIOUS_MASK);
            } else {
                boxes.add(t.prompt.nearestKeyBox(z));
                frameBoxes.add(Optional.empty());
                sources.add(BoxSource.FALLBACK);
            }
        }
        MedicalImage plane = volume8.plane(axis, z, 0);
        VolumeSlice slice = new VolumeSlice(plane, axis, z, VolumeKeys.sliceKey(volumeKey, axis, z));
        List<BinaryMask> masks = lite.isPresent() ? lite.get().segment(slice, List.copyOf(boxes), frameBoxes)
                : segmenter.segment(slice, List.copyOf(boxes));
        if (masks == null || masks.size() != boxes.size()) {
            throw new IllegalStateException(segmenter + " returned " + (masks == null ? "null" : masks.size() + " masks")
                    + " for " + boxes.size() + " boxes on slice " + z);
        }
        for (int i = 0; i < active.size(); i++) {
            Track t = active.get(i);
            BinaryMask mask = masks.get(i);
            if (mask == null || mask.width() != width || mask.height() != height) {
                throw new IllegalStateException(segmenter + " returned a " + (mask == null ? "null" : mask.width() + "x"
                        + mask.height()) + " mask for the " + width + "x" + height + " slice " + z);
            }
            Optional<NextBox> next = nextBox(mask, t.label);
            if (upwards) {
                t.up = next;
                if (z == t.prompt.startSlice()) {
                    t.down = next;
                }
            } else {
                t.down = next;
            }
            long pixels = mask.count();
            t.steps.add(new SliceStep(z, boxes.get(i), sources.get(i), pixels));
            if (pixels > 0) {
                grid.paint(z, mask, t.label);
            }
        }
        done++;
        listener.onProgress(new PropagationProgress(done, total, z, Duration.ofNanos(System.nanoTime() - started)));
    }

    /** The box {@code mask} gives the neighbouring slice, or empty where the reference falls back. */
    private Optional<NextBox> nextBox(BinaryMask mask, int label) {
        if (lite.isEmpty()) {
            Optional<PixelBounds> bounds = mask.bounds();
            return bounds.map(b -> new NextBox(b.toBox(margin, width, height), Optional.empty()));
        }
        return LiteMedSamVolume.boxFromMask(mask.toArray(), label, height, width).map(f -> new NextBox(
                liteFrame.toOriginal(new Box(f[0], f[1], f[2], f[3])), Optional.of(f)));
    }
}
