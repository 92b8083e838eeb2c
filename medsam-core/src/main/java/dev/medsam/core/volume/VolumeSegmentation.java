package dev.medsam.core.volume;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.metrics.LabelVolume;
import dev.medsam.core.pipeline.IntensityPreset;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The result of a 3D segmentation. Immutable; lives on the Java heap.
 *
 * @param labels      the label volume: 0 background, object {@code i} (1-based, in prompt order) labelled
 *                    {@code i}; where objects overlap the later one wins. uint8 for up to 255 objects, else
 *                    uint16. Its dims are the 3D volume's (the selected time point of a 4D series), its affine,
 *                    modality and header attributes those of the source, so writers reproduce the source's
 *                    geometry; no rescale and no display window
 * @param objects     per object, in prompt order, how it was propagated
 * @param preset      the intensity preset that was applied to the volume
 * @param sliceVisits segmenter calls made (a slice visited in both directions counts twice)
 * @param elapsed     wall time of the whole segmentation
 */
public record VolumeSegmentation(MedicalImage labels, List<ObjectPropagation> objects, IntensityPreset preset,
                                 int sliceVisits, Duration elapsed) {

    public VolumeSegmentation {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(elapsed, "elapsed");
        objects = List.copyOf(objects);
    }

    /** The labels as a {@link LabelVolume}, for {@link dev.medsam.core.metrics.TumourBurden} and metrics. */
    public LabelVolume labelVolume() {
        return LabelVolume.from(labels);
    }
}
