package dev.medsam.examples.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.metrics.LabelBurden;
import dev.medsam.core.metrics.LabelScores;
import dev.medsam.core.metrics.LabelVolume;
import dev.medsam.core.metrics.SegmentationMetrics;
import dev.medsam.core.metrics.TumourBurden;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared metric fixtures (NIfTI mask pairs, 0.8 x 0.8 x 2.5 mm) against the values the MedSAM challenge's
 * evaluation code gave for them (expected.json), read through medsam-io as a user would.
 */
class MetricsFixtureTest {

    /** The tolerance the fixtures' README asks for. */
    private static final double TOLERANCE = 1e-3;

    static LabelVolume read(String file) throws IOException {
        return LabelVolume.from(MedicalImages.read(Fixtures.require("fixtures/metrics/" + file)).image());
    }

    static JsonNode expected() throws IOException {
        return new ObjectMapper().readTree(Fixtures.require("fixtures/metrics/expected.json").toFile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sphere_shift", "sphere_grow", "two_blobs"})
    void matchesTheChallengeEvaluation(String name) throws IOException {
        JsonNode want = expected().get("cases").get(name);
        LabelVolume gt = read(name + "_gt.nii.gz");
        LabelVolume pred = read(name + "_pred.nii.gz");
        assertArrayEquals(new double[] {0.8, 0.8, 2.5}, gt.spacingMm(), 1e-6);
        List<LabelScores> scores = SegmentationMetrics.compare(gt, pred, 1.0, 2.0);
        assertEquals(1, scores.size());
        LabelScores s = scores.get(0);
        assertEquals(want.get("dsc").asDouble(), s.dsc(), TOLERANCE, name + " dsc");
        assertEquals(want.get("nsd_1mm").asDouble(), s.nsd(1.0), TOLERANCE, name + " nsd at 1 mm");
        assertEquals(want.get("nsd_2mm").asDouble(), s.nsd(2.0), TOLERANCE, name + " nsd at 2 mm");
        // Same numbers from the one-label entry points.
        assertEquals(s.dsc(), SegmentationMetrics.dice(gt, pred, 1), 0.0);
        assertEquals(s.nsd(2.0), SegmentationMetrics.surfaceDice(gt, pred, 1, 2.0), 0.0);
    }

    @Test
    void burdenOfTheFixtureMasks() throws IOException {
        // Voxel counts, boxes and 26-connected component counts as numpy / scipy.ndimage.label see these files.
        TumourBurden blobs = TumourBurden.of(read("two_blobs_gt.nii.gz"));
        LabelBurden one = blobs.label(1).orElseThrow();
        assertEquals(3948, one.voxels());
        assertEquals(3948 * 0.8 * 0.8 * 2.5 / 1000, one.volumeMl(), 1e-6);
        assertEquals(2, one.components());
        assertArrayEquals(new int[] {10, 10, 7, 56, 56, 18}, one.bboxVoxels());
        LabelBurden grown = TumourBurden.of(read("sphere_grow_pred.nii.gz")).label(1).orElseThrow();
        assertEquals(13951, grown.voxels());
        assertEquals(1, grown.components());
        assertArrayEquals(new int[] {11, 11, 5, 53, 53, 19}, grown.bboxVoxels());
        // The second blob of two_blobs is the smaller: removing components below half the voxels leaves one.
        LabelVolume cleaned = read("two_blobs_gt.nii.gz").withoutComponentsSmallerThan(3948 / 2);
        assertEquals(1, TumourBurden.of(cleaned).label(1).orElseThrow().components());
    }
}
