package dev.medsam.examples.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.metrics.LabelVolume;
import dev.medsam.core.metrics.SegmentationMetrics;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The challenge's per-case rules ({@code compute_metrics.py}) on top of the per-label metrics. */
class ChallengeMetricsTest {

    private static final int[] DIMS = {12, 10, 6};
    private static final double[] SPACING = {0.8, 0.8, 2.5};

    private static int[] blank() {
        return new int[12 * 10 * 6];
    }

    private static void fill(int[] l, int x0, int y0, int z0, int x1, int y1, int z1, int label) {
        for (int z = z0; z <= z1; z++) {
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    l[x + 12 * (y + 10 * z)] = label;
                }
            }
        }
    }

    private static LabelVolume volume(int[] l) {
        return LabelVolume.of(DIMS, SPACING, l);
    }

    @Test
    void matchesTheReferenceValuesOfTheMetricsFixtures() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(Files.readString(Fixtures.require("fixtures/metrics/expected.json")));
        for (String name : new String[] {"sphere_shift", "sphere_grow", "two_blobs"}) {
            LabelVolume gt = LabelVolume.from(MedicalImages.read(Fixtures.require("fixtures/metrics/" + name + "_gt.nii.gz")).image());
            LabelVolume pred = LabelVolume.from(MedicalImages.read(Fixtures.require("fixtures/metrics/" + name + "_pred.nii.gz")).image());
            ChallengeMetrics.Scores s = ChallengeMetrics.score(gt, pred, 2.0);
            JsonNode e = expected.get("cases").get(name);
            assertEquals(e.get("dsc").asDouble(), s.dsc(), 1e-3, name);
            assertEquals(e.get("nsd_2mm").asDouble(), s.nsd(), 1e-3, name);
        }
    }

    @Test
    void averagesLabelsOneToTheGroundTruthsMaximum() {
        int[] gt = blank();
        fill(gt, 1, 1, 1, 4, 4, 3, 1);
        fill(gt, 7, 5, 2, 10, 8, 4, 2);
        int[] pred = gt.clone();
        fill(pred, 7, 5, 2, 10, 8, 2, 0);  // label 2 loses a third of its slices
        fill(pred, 0, 9, 0, 1, 9, 0, 5);   // label 5 is above max(gt): ignored
        ChallengeMetrics.Scores s = ChallengeMetrics.score(volume(gt), volume(pred), 2.0);
        double dsc2 = SegmentationMetrics.dice(volume(gt), volume(pred), 2);
        assertEquals(2 * 32.0 / (48 + 32), dsc2, 1e-12);
        assertEquals((1 + dsc2) / 2, s.dsc(), 1e-12);
        double nsd2 = SegmentationMetrics.surfaceDice(volume(gt), volume(pred), 2, 2.0);
        assertEquals((1 + nsd2) / 2, s.nsd(), 1e-12);
    }

    @Test
    void aLabelMissingFromBothMakesTheCaseUndefinedAndItsNsdZero() {
        int[] gt = blank();
        fill(gt, 1, 1, 1, 4, 4, 3, 1);
        fill(gt, 7, 5, 2, 10, 8, 4, 3); // no label 2 anywhere: its Dice is NaN, as np.mean([1, nan, 1])
        ChallengeMetrics.Scores s = ChallengeMetrics.score(volume(gt), volume(gt.clone()), 2.0);
        assertTrue(Double.isNaN(s.dsc()));
        assertEquals(0.0, s.nsd()); // nan > 0.2 is false in the reference
    }

    @Test
    void nsdIsOnlyComputedAboveADiceOfPointTwo() {
        int[] gt = blank();
        fill(gt, 0, 0, 0, 9, 9, 5, 1);
        int[] pred = blank();
        fill(pred, 0, 0, 0, 1, 9, 5, 1); // Dice 2 * 120 / (600 + 120) = 0.333 -> NSD computed
        ChallengeMetrics.Scores some = ChallengeMetrics.score(volume(gt), volume(pred), 2.0);
        assertEquals(1 / 3.0, some.dsc(), 1e-12);
        assertTrue(some.nsd() > 0);
        int[] less = blank();
        fill(less, 0, 0, 0, 0, 9, 5, 1); // Dice 2 * 60 / 660 = 0.18: NSD reported as 0 although surfaces touch
        ChallengeMetrics.Scores low = ChallengeMetrics.score(volume(gt), volume(less), 2.0);
        assertEquals(120 / 660.0, low.dsc(), 1e-12);
        assertTrue(SegmentationMetrics.surfaceDice(volume(gt), volume(less), 1, 2.0) > 0);
        assertEquals(0.0, low.nsd());
    }

    @Test
    void anEmptyGroundTruthHasNoScore() {
        int[] pred = blank();
        fill(pred, 1, 1, 1, 2, 2, 2, 1);
        ChallengeMetrics.Scores s = ChallengeMetrics.score(volume(blank()), volume(pred), 2.0);
        assertTrue(Double.isNaN(s.dsc()));
        assertEquals(0.0, s.nsd());
    }
}
