package dev.medsam.core.volume;

import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.volume.internal.Propagation;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * Segments objects in CT/MR volumes slice by slice, as MedSAM's 3D protocol and the CVPR 2024 "MedSAM on
 * laptop" reference do: MedSAM is a 2D model, so each object is segmented on its start slice with its box, and
 * every further slice is prompted with the box of the mask found on the slice before it.
 *
 * <pre>{@code
 * try (SegmentationSession session = SegmentationSession.builder(Path.of("medsam_vit_b.pth")).build()) {
 *     VolumeSegmenter segmenter = VolumeSegmenter.of(session);
 *     PropagationOptions options = PropagationOptions.builder()
 *             .preset(IntensityPreset.ctWindow("soft-tissue")).build();
 *     VolumeSegmentation result = segmenter.segment(ct, List.of(VolumePrompt.ofBox3d(95, 255, 40, 190, 350, 80)),
 *             options, p -> System.err.printf("%d/%d%n", p.slicesDone(), p.slicesTotal()), new CancellationToken());
 *     MedicalImage labels = result.labels();                // same grid and affine as ct
 * }
 * }</pre>
 *
 * <h2>The algorithm</h2>
 * <ol>
 *   <li>The intensity preset ({@link PropagationOptions#presetFor}) is applied to the whole volume (for a 4D series:
 *       the selected time point), so windows and percentiles use the volume's statistics as MedSAM's
 *       {@code pre_CT_MR.py} does. Slices are then the planes across the slicing axis of that 8-bit volume.</li>
 *   <li>Each object ({@link VolumePrompt}) is segmented on its start slice with its key box, then slice by slice
 *       up to the end of its range, then from the slice below the start down to the beginning of its range.</li>
 *   <li>On a key slice the key box is used. On any other slice the box is the bounding box of the mask on the
 *       neighbouring slice towards the start, grown by the margin on every side
 *       ({@link PropagationOptions#marginPixels}) and clipped to the slice. When that mask is empty, the box of the
 *       nearest key slice is used (for a 3D box: the given xy box), as the references do.</li>
 *   <li>By default propagation stops at the ends of the range, both included. With
 *       {@link PropagationOptions.Builder#extendUntilEmpty(int)} it continues beyond each end while the masks
 *       stay non-empty, at most that many slices, never beyond the volume; an empty mask there ends that
 *       direction.</li>
 *   <li>Object {@code i} (1-based, in the order given) is labelled {@code i}; where objects overlap, the later
 *       object wins, as the reference's {@code segs[segs_3d_temp > 0] = idx}.</li>
 * </ol>
 * Two details differ from {@code CVPR24_LiteMedSAM_infer.py}: its loops {@code range(z_middle, z_max)} and
 * {@code range(z_middle - 1, z_min, -1)} leave the range's two end slices unsegmented although the challenge's
 * z_max is inclusive, while this covers the whole range (as MedSAM's {@code medsam_infer_3Dbox_adrenal.py} does
 * with {@code z_max + 1}); and the box of a mask is taken at the slice's own resolution with the margin scaled
 * to it, instead of on the mask resized to 256 pixels. With a LiteMedSAM session ({@link
 * dev.medsam.core.pipeline.Pipeline#LITE_MEDSAM}) and the reference margin, that box is taken exactly as the
 * reference does (the mask resized with INTER_AREA into the 256 frame, its bounding box widened by 3 and clamped to
 * [0, 256], the object's box when the resized mask is empty), so the labels equal the reference's {@code segs}.
 *
 * <h2>Embeddings</h2>
 * Objects do not run one after the other: the segmenter sweeps the slices upwards once, segmenting on each slice
 * every object whose upward pass needs it (one {@link SliceSegmenter} call, so one image embedding, for all of
 * them), then downwards once the same way. Each object's masks are exactly those of running it alone. A slice
 * above one object's start slice and below another's is needed in both sweeps; with {@link #of(SegmentationSession)}
 * its embedding then comes from the session's cache if it is still there (a cache at least as large as the
 * distance between the two visits avoids re-encoding). Slices are cached under a hash of the 8-bit volume, so a
 * second run on the same volume with the same session reuses them too.
 *
 * <h2>Progress and cancellation</h2>
 * The listener hears after each slice visit (slices done, slices planned, elapsed time); the token is checked
 * before each visit, as is the calling thread's interrupt flag, and a cancelled run ends with a
 * {@link CancellationException} (nothing partial is returned).
 *
 * <p>Thread-safety: a {@code VolumeSegmenter} holds no state between calls and may be used from several threads
 * if its {@link SliceSegmenter} may (a session's is).
 */
public final class VolumeSegmenter {

    private final SliceSegmenter slices;

    private VolumeSegmenter(SliceSegmenter slices) {
        this.slices = slices;
    }

    /** Segments with {@code session} ({@link SliceSegmenter#of(SegmentationSession)}); the caller closes it. */
    public static VolumeSegmenter of(SegmentationSession session) {
        return new VolumeSegmenter(SliceSegmenter.of(Objects.requireNonNull(session, "session")));
    }

    /** Segments with any 2D segmenter (a fake in tests, another model). */
    public static VolumeSegmenter of(SliceSegmenter slices) {
        return new VolumeSegmenter(Objects.requireNonNull(slices, "slice segmenter"));
    }

    /** {@link #segment(MedicalImage, List, PropagationOptions, PropagationListener, CancellationToken)} with defaults. */
    public VolumeSegmentation segment(MedicalImage volume, List<VolumePrompt> objects) {
        return segment(volume, objects, PropagationOptions.defaults());
    }

    /** {@link #segment(MedicalImage, List, PropagationOptions, PropagationListener, CancellationToken)}, no listener. */
    public VolumeSegmentation segment(MedicalImage volume, List<VolumePrompt> objects, PropagationOptions options) {
        return segment(volume, objects, options, PropagationListener.NONE, new CancellationToken());
    }

    /**
     * Segments {@code objects} in {@code volume}.
     *
     * @param volume  a 3D volume or 4D series (one value or an RGB triple per voxel)
     * @param objects one prompt per object, at least one; object {@code i} gets label {@code i + 1}
     * @throws IllegalArgumentException if the volume is not 3D/4D, the time index or a prompt's slices lie outside
     *                                  it, a key box lies outside its slice, the preset does not apply to the
     *                                  volume, or there are no objects or more than 65535 (the message names the
     *                                  object, slice and value)
     * @throws CancellationException    if {@code cancel} was cancelled or the thread interrupted
     * @throws IllegalStateException    if the slice segmenter returns the wrong number or size of masks (or its
     *                                  session is closed)
     */
    public VolumeSegmentation segment(MedicalImage volume, List<VolumePrompt> objects, PropagationOptions options,
                                      PropagationListener listener, CancellationToken cancel) {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(objects, "objects");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(cancel, "cancellation token");
        for (int i = 0; i < objects.size(); i++) {
            Objects.requireNonNull(objects.get(i), "prompt of object " + (i + 1)); // 1-based, as labels
        }
        return new Propagation(slices, volume, List.copyOf(objects), options, listener, cancel).run();
    }

    @Override
    public String toString() {
        return "VolumeSegmenter[" + slices + "]";
    }
}
