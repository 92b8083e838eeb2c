package dev.medsam.core.metrics;

import java.util.Arrays;

/**
 * Overlap scores of one label between a ground truth and a prediction, from
 * {@link SegmentationMetrics#compare(LabelVolume, LabelVolume, double...)}.
 *
 * @param label             the label value
 * @param groundTruthVoxels voxels with this label in the ground truth
 * @param predictionVoxels  voxels with this label in the prediction
 * @param dsc               Dice similarity coefficient, a fraction in [0, 1]; see {@link SegmentationMetrics#dice}
 *                          for empty masks
 * @param tolerancesMm      the NSD tolerances, mm
 * @param nsd               normalised surface Dice at each tolerance, fractions in [0, 1]; see
 *                          {@link SurfaceDistances#surfaceDice(double)} for empty masks
 */
public record LabelScores(int label, long groundTruthVoxels, long predictionVoxels, double dsc, double[] tolerancesMm,
                          double[] nsd) {

    /** @throws IllegalArgumentException if the tolerances and NSD values differ in number */
    public LabelScores {
        tolerancesMm = tolerancesMm.clone();
        nsd = nsd.clone();
        if (tolerancesMm.length != nsd.length) {
            throw new IllegalArgumentException(tolerancesMm.length + " tolerances but " + nsd.length + " NSD values");
        }
    }

    /** The tolerances, a copy. */
    @Override
    public double[] tolerancesMm() {
        return tolerancesMm.clone();
    }

    /** NSD per tolerance, a copy. */
    @Override
    public double[] nsd() {
        return nsd.clone();
    }

    /**
     * The NSD at {@code toleranceMm}, one of the tolerances these scores were computed for.
     *
     * @throws IllegalArgumentException if it was not computed at that tolerance
     */
    public double nsd(double toleranceMm) {
        for (int i = 0; i < tolerancesMm.length; i++) {
            if (Double.compare(tolerancesMm[i], toleranceMm) == 0) {
                return nsd[i];
            }
        }
        throw new IllegalArgumentException("no NSD at " + toleranceMm + " mm; computed at " + Arrays.toString(tolerancesMm));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelScores s && s.label == label && s.groundTruthVoxels == groundTruthVoxels
                && s.predictionVoxels == predictionVoxels && Double.compare(s.dsc, dsc) == 0
                && Arrays.equals(s.tolerancesMm, tolerancesMm) && Arrays.equals(s.nsd, nsd);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * label + Double.hashCode(dsc)) + Arrays.hashCode(nsd);
    }

    @Override
    public String toString() {
        return "LabelScores[label " + label + ", voxels " + groundTruthVoxels + " / " + predictionVoxels + ", dsc " + dsc
                + ", nsd " + Arrays.toString(nsd) + " at " + Arrays.toString(tolerancesMm) + " mm]";
    }
}
