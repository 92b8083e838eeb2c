package dev.medsam.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.metrics.LabelScores;
import dev.medsam.core.metrics.LabelVolume;
import dev.medsam.core.metrics.SegmentationMetrics;
import dev.medsam.io.MedicalImages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code medsam metrics}: Dice and normalised surface Dice per label between a predicted and a ground-truth
 * segmentation, as the MedSAM challenge's evaluation computes them.
 */
@Command(name = "metrics",
        mixinStandardHelpOptions = true,
        description = {
            "Dice (DSC) and normalised surface Dice (NSD) per label of a prediction against a ground truth, as the "
                    + "MedSAM challenge's evaluation computes them (DeepMind's surface-distance algorithm).",
            "Both files must be label maps on the same grid (NIfTI, NPY, PNG, ...: any format medsam reads); every "
                    + "non-zero label present in either file is scored. Scores are fractions from 0 to 1.",
        })
public final class MetricsCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pred", required = true, paramLabel = "FILE", description = "Predicted label map.")
    Path prediction;

    @Option(names = "--gt", required = true, paramLabel = "FILE", description = "Ground-truth label map.")
    Path groundTruth;

    @Mixin
    NsdToleranceOption tolerance;

    @Option(names = "--json", description = "Print one JSON document instead of one line per label.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        double toleranceMm = tolerance.toleranceMm;
        MedicalImage gtImage = MedicalImages.read(groundTruth).image();
        MedicalImage predImage = MedicalImages.read(prediction).image();
        LabelVolume gt = labels(gtImage, groundTruth);
        LabelVolume pred = labels(predImage, prediction);
        if (!gt.affine().approximatelyEquals(pred.affine(), 1e-3)) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("medsam metrics: warning: " + prediction + " and " + groundTruth + " have different affines ("
                    + pred.affine().to(CoordinateSystem.RAS) + " vs " + gt.affine().to(CoordinateSystem.RAS)
                    + "); scores are computed voxel by voxel");
            err.flush();
        }
        List<LabelScores> scores;
        try {
            scores = SegmentationMetrics.compare(gt, pred, toleranceMm);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prediction + " vs " + groundTruth + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(gt, scores, toleranceMm));
        } else if (scores.isEmpty()) {
            out.println("no labels: both masks are empty");
        } else {
            for (LabelScores s : scores) {
                out.println(String.format(Locale.ROOT, "label %d: dsc %.4f nsd %.4f", s.label(), s.dsc(), s.nsd(toleranceMm)));
            }
        }
        out.flush();
        return 0;
    }

    private static LabelVolume labels(MedicalImage image, Path file) {
        try {
            return LabelVolume.from(image);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " is not a label map: " + e.getMessage(), e);
        }
    }

    private String toJson(LabelVolume gt, List<LabelScores> scores, double toleranceMm) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("pred", prediction.toString());
        root.put("gt", groundTruth.toString());
        root.put("tolerance_mm", toleranceMm);
        ArrayNode spacing = root.putArray("spacing_mm");
        for (double s : gt.spacingMm()) {
            spacing.add(s);
        }
        ArrayNode labels = root.putArray("labels");
        for (LabelScores s : scores) {
            ObjectNode l = labels.addObject();
            l.put("label", s.label());
            l.put("dsc", s.dsc());
            l.put("nsd", s.nsd(toleranceMm));
            l.put("gt_voxels", s.groundTruthVoxels());
            l.put("pred_voxels", s.predictionVoxels());
        }
        return mapper.writeValueAsString(root);
    }
}
