package dev.medsam.core.volume;

import java.time.Duration;
import java.util.Objects;

/**
 * Progress of a 3D segmentation, reported after each slice visit (one visit segments every object that needs the
 * slice in that direction).
 *
 * @param slicesDone  visits finished
 * @param slicesTotal visits planned; it grows while propagation continues beyond a prompt's range
 *                    ({@link PropagationOptions#maxExtraSlices()}), and is never below {@code slicesDone}
 * @param slice       the slice just done
 * @param elapsed     time since the segmentation started (including the intensity preset)
 */
public record PropagationProgress(int slicesDone, int slicesTotal, int slice, Duration elapsed) {

    public PropagationProgress {
        Objects.requireNonNull(elapsed, "elapsed");
        if (slicesDone < 0 || slicesDone > slicesTotal) {
            throw new IllegalArgumentException(slicesDone + " of " + slicesTotal + " slices is not valid progress");
        }
    }
}
