package dev.medsam.spark.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.medsam.core.SegmentationSession;
import dev.medsam.examples.eval.CaseResult;
import dev.medsam.examples.eval.ChallengeEvaluation;
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.numpy.SpacingOrder;
import dev.medsam.spark.CaseRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one case on an executor and makes the batch restartable.
 *
 * <p>Each case writes its mask atomically ({@link AtomicFiles}), then a small marker
 * {@code <out>/.medsam-batch/<case id>.json} with its result rows, its mask's file name and the job's fingerprint,
 * also atomically. A case is complete when both exist and the marker's fingerprint is this job's: a rerun (or a retried task) reuses it
 * and recomputes every other case (no mask, a mask without marker, or a marker of other settings). Failures are
 * caught and become a {@code failed} row; no marker is written for them, so a rerun tries them again.
 *
 * <p>Challenge cases run through {@code medsam eval}'s own per-case code, {@link ChallengeEvaluation#runCase};
 * table cases through {@link TableCase}. Stateless; safe from several task threads at once.
 */
public final class CaseProcessor {

    private static final System.Logger LOG = System.getLogger(CaseProcessor.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Folder (inside the output folder) of the per-case completion markers. */
    public static final String MARKERS = ".medsam-batch";

    private CaseProcessor() {
    }

    static Path markerOf(JobSettings settings, CaseSpec spec) {
        return Path.of(settings.out()).resolve(MARKERS).resolve(spec.id() + ".json");
    }

    /** Runs (or reuses) one case; never throws for a bad case, only records it. */
    public static List<CaseRow> process(JobSettings settings, CaseSpec spec) {
        Path marker = markerOf(settings, spec);
        List<CaseRow> reused = reuse(settings, marker);
        if (!reused.isEmpty()) {
            return reused;
        }
        long start = System.nanoTime();
        try {
            SegmentationSession session = ModelHolder.session(settings);
            Path out = Path.of(settings.out());
            List<CaseRow> rows;
            Path output;
            if (spec.challenge()) {
                rows = challengeCase(settings, spec, session);
                output = out.resolve(spec.id()); // as eval names it
            } else {
                // the table case decides: <id>.nii.gz, or <id>.npz for a challenge npz image
                TableCase.Outcome o = TableCase.run(session, spec, out, settings);
                rows = o.rows();
                output = o.output();
            }
            writeMarker(marker, settings.fingerprint(), out.relativize(output).toString(), rows);
            return rows;
        } catch (Exception e) {
            // one case's bad file or model error must not stop the job: record it with its message
            String message = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
            LOG.log(System.Logger.Level.WARNING, () -> spec.id() + ": failed: " + message);
            return List.of(CaseRow.failed(spec.id(), (System.nanoTime() - start) / 1e9, message));
        }
    }

    private static List<CaseRow> challengeCase(JobSettings settings, CaseSpec spec, SegmentationSession session)
            throws IOException {
        Path image = Path.of(spec.image());
        Path out = Path.of(settings.out());
        ChallengeEvaluation.Builder b = settings.challengeGt().isEmpty()
                ? ChallengeEvaluation.builderWithoutGroundTruth(image.getParent(), out)
                : ChallengeEvaluation.builder(image.getParent(), Path.of(settings.challengeGt()), out);
        ChallengeEvaluation eval = b.toleranceMm(settings.toleranceMm())
                .spacingOrder(SpacingOrder.valueOf(settings.spacingOrder())).build();
        if (!settings.challengeGt().isEmpty()) {
            Path gt = Path.of(settings.challengeGt()).resolve(spec.id());
            if (!Files.isRegularFile(gt)) {
                throw new IOException(gt + ": no ground truth for case " + spec.id());
            }
        }
        CaseResult r = eval.runCase(session, image);
        return List.of(new CaseRow(spec.id(), 0, r.predVoxels(), r.predVolumeMl(), r.dsc(), r.nsd(),
                r.runTime().toNanos() / 1e9, CaseRow.OK, ""));
    }

    // ------------------------------------------------------------------------------------------------ markers

    private static List<CaseRow> reuse(JobSettings settings, Path marker) {
        if (!Files.isRegularFile(marker)) {
            return List.of();
        }
        try {
            JsonNode root = JSON.readTree(marker.toFile());
            String output = root.path("output").asText();
            if (!settings.fingerprint().equals(root.path("fingerprint").asText()) || output.isEmpty()
                    || !Files.isRegularFile(Path.of(settings.out()).resolve(output))) {
                return List.of();
            }
            List<CaseRow> rows = new ArrayList<>();
            for (JsonNode n : root.path("rows")) {
                rows.add(new CaseRow(n.path("case").asText(), n.path("label").asInt(), n.path("voxels").asLong(),
                        number(n.path("volume_ml")), number(n.path("dsc")), number(n.path("nsd")),
                        number(n.path("seconds")), CaseRow.REUSED, ""));
            }
            return rows;
        } catch (IOException | RuntimeException e) {
            // a damaged marker only means the case runs again
            LOG.log(System.Logger.Level.WARNING, () -> marker + ": unreadable (" + e.getMessage() + "); recomputing");
            return List.of();
        }
    }

    private static void writeMarker(Path marker, String fingerprint, String output, List<CaseRow> rows)
            throws IOException {
        Files.createDirectories(marker.getParent());
        ObjectNode root = JSON.createObjectNode();
        root.put("fingerprint", fingerprint);
        root.put("output", output);
        ArrayNode array = root.putArray("rows");
        for (CaseRow r : rows) {
            ObjectNode n = array.addObject();
            n.put("case", r.caseId());
            n.put("label", r.label());
            n.put("voxels", r.voxels());
            putNumber(n, "volume_ml", r.volumeMl());
            putNumber(n, "dsc", r.dsc());
            putNumber(n, "nsd", r.nsd());
            putNumber(n, "seconds", r.seconds());
        }
        AtomicFiles.write(marker, out -> JSON.writeValue(out, root));
    }

    /** NaN as JSON null (JSON has no NaN). */
    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }
}
