package dev.medsam.examples.eval;

import dev.medsam.core.metrics.LabelScores;
import dev.medsam.core.metrics.LabelVolume;
import dev.medsam.core.metrics.SegmentationMetrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One case's scores as the CVPR 2024 challenge's {@code evaluation/compute_metrics.py} computes them:
 * <ul>
 *   <li>labels {@code 1..max(gt)} are scored (labels only in the prediction above that are ignored);</li>
 *   <li>DSC = the mean of the labels' Dice; a label absent from both ground truth and prediction has an undefined
 *       Dice (NaN), which makes the mean NaN, as NumPy's {@code np.mean} does;</li>
 *   <li>NSD = the mean of the labels' normalised surface Dice at the tolerance (2 mm; for 2D cases the image is a
 *       one-slice volume with spacing 1, so the tolerance is in pixels), computed only when DSC &gt; 0.2 and
 *       otherwise 0 (a NaN DSC also gives 0);</li>
 *   <li>an empty ground truth has no labels: DSC NaN, NSD 0.</li>
 * </ul>
 * Dice and NSD per label come from {@link SegmentationMetrics}, which follows DeepMind's surface-distance code as
 * the challenge does. Stateless.
 */
public final class ChallengeMetrics {

    /** The challenge's NSD tolerance in mm. */
    public static final double TOLERANCE_MM = 2.0;

    /** Only cases with a Dice above this get an NSD (else 0), as the reference saves time. */
    public static final double NSD_DICE_THRESHOLD = 0.2;

    private ChallengeMetrics() {
    }

    /**
     * {@code mm} if it is a usable NSD tolerance: finite, 0 or more (in pixels for 2D cases). Every setting of a
     * tolerance (evaluation, batch job, batch request) checks it here, so they accept and refuse the same values.
     *
     * @throws IllegalArgumentException if negative, NaN or infinite
     */
    public static double checkToleranceMm(double mm) {
        if (!(mm >= 0) || !Double.isFinite(mm)) {
            throw new IllegalArgumentException("NSD tolerance must be a finite number of mm, 0 or more, got " + mm);
        }
        return mm;
    }

    /** The case's two numbers. */
    public record Scores(double dsc, double nsd) {
    }

    /**
     * Scores a prediction against a ground truth on the same grid.
     *
     * @throws IllegalArgumentException if the grids differ (dims or spacing)
     */
    public static Scores score(LabelVolume groundTruth, LabelVolume prediction, double toleranceMm) {
        Objects.requireNonNull(groundTruth, "ground truth");
        Objects.requireNonNull(prediction, "prediction");
        int[] gtLabels = groundTruth.labelsPresent();
        int max = gtLabels.length == 0 ? 0 : gtLabels[gtLabels.length - 1];
        if (max == 0) {
            return new Scores(Double.NaN, 0);
        }
        List<LabelScores> scores = SegmentationMetrics.compare(groundTruth, prediction, toleranceMm);
        Map<Integer, LabelScores> byLabel = new HashMap<>();
        for (LabelScores s : scores) {
            byLabel.put(s.label(), s);
        }
        double dscSum = 0;
        double nsdSum = 0;
        for (int label = 1; label <= max; label++) {
            LabelScores s = byLabel.get(label);
            dscSum += s == null ? Double.NaN : s.dsc();
            nsdSum += s == null ? Double.NaN : s.nsd(toleranceMm);
        }
        double dsc = dscSum / max;
        double nsd = dsc > NSD_DICE_THRESHOLD ? nsdSum / max : 0;
        return new Scores(dsc, nsd);
    }
}
