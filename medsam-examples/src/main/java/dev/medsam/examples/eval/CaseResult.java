package dev.medsam.examples.eval;

import java.time.Duration;
import java.util.Objects;

/**
 * One evaluated case.
 *
 * @param name          the npz file name, e.g. {@code 3DBox_CT_0566.npz}
 * @param volume        whether it is a 3D case (imgs (D, H, W), boxes (N, 6)) rather than 2D
 * @param objects       number of boxes
 * @param dsc           the case's Dice ({@link ChallengeMetrics}); NaN when undefined
 * @param nsd           the case's normalised surface Dice ({@link ChallengeMetrics})
 * @param predVoxels    non-zero voxels (pixels in 2D) of the prediction
 * @param gtVoxels      non-zero voxels (pixels) of the ground truth
 * @param predVolumeMl  3D: the prediction's volume in mL (voxels times the voxel volume); NaN in 2D
 * @param gtVolumeMl    3D: the ground truth's volume in mL; NaN in 2D
 * @param runTime       reading the case, segmenting it and writing its {@code segs} npz (not scoring it)
 */
public record CaseResult(String name, boolean volume, int objects, double dsc, double nsd, long predVoxels,
                         long gtVoxels, double predVolumeMl, double gtVolumeMl, Duration runTime) {

    public CaseResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(runTime, "run time");
    }
}
