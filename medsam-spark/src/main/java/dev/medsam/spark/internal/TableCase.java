package dev.medsam.spark.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.Box;
import dev.medsam.core.Point;
import dev.medsam.core.Prompt;
import dev.medsam.core.Prompts;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.metrics.LabelScores;
import dev.medsam.core.metrics.LabelVolume;
import dev.medsam.core.metrics.SegmentationMetrics;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.core.volume.VolumePrompt;
import dev.medsam.core.volume.VolumeSegmenter;
import dev.medsam.examples.eval.CaseResult;
import dev.medsam.examples.eval.ChallengeEvaluation;
import dev.medsam.examples.eval.ChallengeMetrics;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.SpacingOrder;
import dev.medsam.spark.CaseRow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One case of a cases table: any image {@link MedicalImages#read} reads, prompts as JSON, an optional ground truth;
 * the labels go to {@code <id>.nii.gz} on the image's grid.
 *
 * <h2>Challenge npz images</h2>
 * An image that is a case of the challenge layout ({@code .npz} with {@code imgs} and {@code boxes}) is read as
 * {@code medsam eval} reads it and its labels go to {@code <id>.npz} with {@code segs}. With an empty prompts cell
 * its own boxes are the prompts and the case runs through eval's per-case code (same masks and scores as eval); with
 * prompts, those replace the file's boxes. Its ground truth is then the challenge's npz with {@code gts}.
 *
 * <h2>Prompts</h2>
 * A JSON array with one object per label (label i+1 for element i, later objects overwriting earlier ones where
 * they overlap, as the challenge does): {@code {"box": [x0, y0, x1, y1]}} and/or
 * {@code {"points": [[x, y, 1], [x, y, 0]]}} (1 foreground, 0 background) for 2D images, in pixels;
 * {@code {"box3d": [x0, y0, z0, x1, y1, z1]}} (z1 inclusive) for volumes, segmented as {@code medsam eval} does
 * (middle slice, then propagation).
 *
 * <h2>Rows</h2>
 * Label 0 is the whole case (DSC and NSD as {@link ChallengeMetrics} scores a case); with more than one object,
 * labels 1..N follow with their own voxels, volume and (with ground truth) Dice and NSD. Stateless.
 */
final class TableCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TableCase() {
    }

    /** What a table case produced: its result rows and the mask file it wrote. */
    record Outcome(List<CaseRow> rows, Path output) {
        Outcome {
            rows = List.copyOf(rows);
            Objects.requireNonNull(output, "output");
        }
    }

    /**
     * Segments one table case into {@code outDir}: {@code <id>.nii.gz}, or {@code <id>.npz} with {@code segs} when the
     * image is a challenge npz (see {@link #isChallengeNpz}).
     */
    static Outcome run(SegmentationSession session, CaseSpec spec, Path outDir, JobSettings settings)
            throws IOException {
        long start = System.nanoTime();
        Path imageFile = Path.of(spec.image());
        boolean challenge = isChallengeNpz(imageFile);
        if (challenge && spec.prompts().isBlank()) {
            return challengeCase(session, spec, imageFile, outDir, settings);
        }
        SpacingOrder order = SpacingOrder.valueOf(settings.spacingOrder());
        // a challenge npz prompted from the table: its imgs on the grid eval uses, the table's prompts, segs out
        MedicalImage image = challenge ? MedSamNpz.read(imageFile).image(order) : MedicalImages.read(imageFile).image();
        List<JsonNode> objects = parse(spec);
        boolean volume = image.rank() >= 3 && image.dim(2) > 1;
        if (image.rank() > 3 && image.dim(3) > 1) {
            throw new MalformedImageException(imageFile, "has " + image.dim(3) + " time points; give one volume");
        }
        MedicalImage labels;
        try {
            labels = volume ? segmentVolume(session, image, objects) : segmentImage(session, image, objects);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("case " + spec.id() + " (" + imageFile + "): " + e.getMessage(), e);
        }
        Path output = outDir.resolve(challenge ? npzName(spec.id()) : spec.id() + ".nii.gz");
        if (challenge) {
            MedSamNpz.writeSegs(output, labels);
        } else {
            MedicalImages.write(labels, output);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome(rows(spec, labels, objects.size(), volume, seconds, settings.toleranceMm()), output);
    }

    /**
     * Whether {@code image} is a case of the challenge layout: an {@code .npz} with {@code imgs} and {@code boxes}
     * (an npz with {@code imgs} alone is an image like any other).
     */
    static boolean isChallengeNpz(Path image) throws IOException {
        if (!image.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz")) {
            return false;
        }
        Set<String> keys = new HashSet<>();
        for (Npz.Member m : Npz.members(image)) {
            keys.add(m.key());
        }
        return keys.contains("imgs") && keys.contains("boxes");
    }

    /** {@code <id>.npz}, as eval names a case's segs (an id that already ends in .npz is kept). */
    static String npzName(String id) {
        return id.toLowerCase(Locale.ROOT).endsWith(".npz") ? id : id + ".npz";
    }

    /** The file's own boxes, through {@code medsam eval}'s per-case code; ground truth an npz with gts. */
    private static Outcome challengeCase(SegmentationSession session, CaseSpec spec, Path imageFile, Path outDir,
                                         JobSettings settings) throws IOException {
        Path output = outDir.resolve(npzName(spec.id()));
        ChallengeEvaluation eval = ChallengeEvaluation.builderWithoutGroundTruth(imageFile.getParent(), outDir)
                .toleranceMm(settings.toleranceMm()).spacingOrder(SpacingOrder.valueOf(settings.spacingOrder()))
                .build();
        CaseResult r = spec.groundTruth().isEmpty() ? eval.runUnscoredCase(session, imageFile, output)
                : eval.runCase(session, imageFile, output, Path.of(spec.groundTruth()));
        return new Outcome(List.of(new CaseRow(spec.id(), 0, r.predVoxels(), r.predVolumeMl(), r.dsc(), r.nsd(),
                r.runTime().toNanos() / 1e9, CaseRow.OK, "")), output);
    }

    private static List<JsonNode> parse(CaseSpec spec) {
        if (spec.prompts().isBlank()) {
            throw new IllegalArgumentException("case " + spec.id() + ": no prompts (only a challenge npz, with imgs"
                    + " and boxes, brings its own)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(spec.prompts());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("case " + spec.id() + ": prompts are not JSON: "
                    + e.getOriginalMessage());
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException("case " + spec.id()
                    + ": prompts must be a non-empty JSON array of objects such as {\"box\": [x0, y0, x1, y1]}, got "
                    + abbreviate(spec.prompts()));
        }
        List<JsonNode> objects = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode o = root.get(i);
            if (!o.isObject() || !(o.has("box") || o.has("points") || o.has("box3d"))) {
                throw new IllegalArgumentException("case " + spec.id() + ": prompts[" + i
                        + "] must be an object with box, points or box3d, got " + abbreviate(o.toString()));
            }
            objects.add(o);
        }
        return objects;
    }

    private static MedicalImage segmentVolume(SegmentationSession session, MedicalImage image, List<JsonNode> objects) {
        List<VolumePrompt> prompts = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            JsonNode o = objects.get(i);
            if (!o.has("box3d") || o.has("box") || o.has("points")) {
                throw new IllegalArgumentException("prompts[" + i + "]: a volume takes {\"box3d\": [x0, y0, z0, x1, y1, z1]}"
                        + " only, got " + abbreviate(o.toString()));
            }
            double[] v = numbers(o.get("box3d"), 6, "prompts[" + i + "].box3d");
            try {
                prompts.add(VolumePrompt.ofBox3d(v));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("prompts[" + i + "].box3d: " + e.getMessage(), e);
            }
        }
        // the volume's default preset (IntensityPreset.defaultFor), as segment3d uses without --window
        return VolumeSegmenter.of(session).segment(image, prompts, PropagationOptions.defaults()).labels();
    }

    private static MedicalImage segmentImage(SegmentationSession session, MedicalImage image, List<JsonNode> objects) {
        MedicalImage plane = image.rank() >= 3 ? image.plane(2, 0, 0) : image;
        List<Prompts> prompts = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            JsonNode o = objects.get(i);
            if (o.has("box3d")) {
                throw new IllegalArgumentException("prompts[" + i + "]: box3d needs a volume; this image is 2D");
            }
            List<Prompt> parts = new ArrayList<>();
            try {
                if (o.has("box")) {
                    double[] b = numbers(o.get("box"), 4, "prompts[" + i + "].box");
                    parts.add(new Box(b[0], b[1], b[2], b[3]));
                }
                JsonNode points = o.path("points");
                if (o.has("points") && (!points.isArray() || points.isEmpty())) {
                    throw new IllegalArgumentException("prompts[" + i + "].points must be a non-empty array of [x, y, label]");
                }
                for (int p = 0; p < points.size(); p++) {
                    double[] xyl = numbers(points.get(p), 3, "prompts[" + i + "].points[" + p + "]");
                    if (xyl[2] != 0 && xyl[2] != 1) {
                        throw new IllegalArgumentException("prompts[" + i + "].points[" + p
                                + "]: label must be 1 (foreground) or 0 (background), got " + xyl[2]);
                    }
                    parts.add(xyl[2] == 1 ? Point.positive(xyl[0], xyl[1]) : Point.negative(xyl[0], xyl[1]));
                }
                prompts.add(Prompts.of(parts));
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith("prompts[") ? e
                        : new IllegalArgumentException("prompts[" + i + "]: " + e.getMessage(), e);
            }
        }
        return ChallengeEvaluation.labelsInPromptOrder(session.segment(session.encode(plane), prompts, false), plane);
    }

    private static List<CaseRow> rows(CaseSpec spec, MedicalImage labels, int objects, boolean volume, double seconds,
                                        double toleranceMm) throws IOException {
        LabelVolume pred = LabelVolume.from(labels);
        double[] s = pred.spacingMm();
        double voxelMl = volume ? s[0] * s[1] * s[2] / 1000 : Double.NaN;
        int[] values = pred.toIntArray();
        long[] perLabel = new long[objects + 1];
        for (int v : values) {
            if (v > 0 && v <= objects) {
                perLabel[v]++;
            }
        }
        long total = Arrays.stream(perLabel).sum();
        double dsc = Double.NaN;
        double nsd = Double.NaN;
        Map<Integer, LabelScores> byLabel = new HashMap<>();
        if (!spec.groundTruth().isEmpty()) {
            Path gtFile = Path.of(spec.groundTruth());
            MedicalImage gtImage = readGroundTruth(gtFile);
            if (gtImage.rank() >= 3 && gtImage.dim(2) == 1 && !volume) {
                gtImage = gtImage.plane(2, 0, 0);
            }
            LabelVolume gt;
            try {
                gt = LabelVolume.from(gtImage);
            } catch (IllegalArgumentException e) {
                throw new MalformedImageException(gtFile, "is not a label map: " + e.getMessage());
            }
            if (!Arrays.equals(gt.dims(), pred.dims())) {
                throw new MalformedImageException(gtFile, "has dims " + Arrays.toString(gt.dims())
                        + " but the image has " + Arrays.toString(pred.dims()));
            }
            LabelVolume gtOnPredGrid = LabelVolume.of(pred.dims(), pred.spacingMm(), gt.toIntArray());
            ChallengeMetrics.Scores scores = ChallengeMetrics.score(gtOnPredGrid, pred, toleranceMm);
            dsc = scores.dsc();
            nsd = scores.nsd();
            for (LabelScores l : SegmentationMetrics.compare(gtOnPredGrid, pred, toleranceMm)) {
                byLabel.put(l.label(), l);
            }
        }
        List<CaseRow> rows = new ArrayList<>();
        rows.add(new CaseRow(spec.id(), 0, total, total * voxelMl, dsc, nsd, seconds, CaseRow.OK, ""));
        if (objects > 1) {
            for (int label = 1; label <= objects; label++) {
                LabelScores l = byLabel.get(label);
                rows.add(new CaseRow(spec.id(), label, perLabel[label], perLabel[label] * voxelMl,
                        l == null ? Double.NaN : l.dsc(), l == null ? Double.NaN : l.nsd(toleranceMm), seconds,
                        CaseRow.OK, ""));
            }
        }
        return rows;
    }

    /** A label file {@link MedicalImages} reads, or a challenge ground-truth npz (its {@code gts}). */
    private static MedicalImage readGroundTruth(Path file) throws IOException {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz")) {
            for (Npz.Member m : Npz.members(file)) {
                if (m.key().equals("gts")) {
                    return Npz.read(file, "gts").toMedicalImage();
                }
            }
        }
        return MedicalImages.read(file).image();
    }

    private static double[] numbers(JsonNode node, int count, String where) {
        if (node == null || !node.isArray() || node.size() != count) {
            throw new IllegalArgumentException(where + " must be an array of " + count + " numbers, got "
                    + abbreviate(String.valueOf(node)));
        }
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            JsonNode n = node.get(i);
            if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
                throw new IllegalArgumentException(where + "[" + i + "] must be a finite number, got " + n);
            }
            v[i] = n.asDouble();
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
