package dev.medsam.core.volume;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one object was propagated through the volume.
 *
 * @param label  the object's label in the label volume (1 for the first prompt, 2 for the second, ...)
 * @param prompt the object's prompt
 * @param steps  the slices segmented for it, in the order they were done: the start slice and upwards, then
 *               downwards from the slice below the start
 */
public record ObjectPropagation(int label, VolumePrompt prompt, List<SliceStep> steps) {

    public ObjectPropagation {
        Objects.requireNonNull(prompt, "prompt");
        steps = List.copyOf(steps);
        if (label <= 0) {
            throw new IllegalArgumentException("labels start at 1, got " + label);
        }
    }

    /** The step on {@code slice}, if it was segmented for this object. */
    public Optional<SliceStep> step(int slice) {
        return steps.stream().filter(s -> s.slice() == slice).findFirst();
    }

    /** The steps sorted by slice. */
    public List<SliceStep> stepsBySlice() {
        return steps.stream().sorted(Comparator.comparingInt(SliceStep::slice)).toList();
    }

    /** Object pixels over all its slices (before later objects overwrote any of them). */
    public long pixels() {
        return steps.stream().mapToLong(SliceStep::pixels).sum();
    }
}
