package dev.medsam.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * One row of a batch's results table (immutable, serialisable: tasks send rows to the driver). Label 0 is the whole case (all its objects, as {@code medsam eval} scores it:
 * DSC and NSD are the means over the ground truth's labels); a table case with several objects also gets one row per
 * label 1..N with that label's own voxels, volume and scores.
 *
 * @param caseId   the case id (challenge mode: the npz file name)
 * @param label    0 for the whole case, else the object's label
 * @param voxels   non-zero voxels (pixels in 2D) of the prediction; -1 when the case failed
 * @param volumeMl the prediction's volume in mL (3D); NaN in 2D or when failed
 * @param dsc      Dice against the ground truth; NaN without ground truth or when undefined
 * @param nsd      normalised surface Dice; NaN without ground truth
 * @param seconds  reading, segmenting and writing the case (not scoring it), as {@code medsam eval} times it
 * @param status   {@code ok}, {@code reused} (complete output of an earlier run) or {@code failed}
 * @param error    why it failed (names the file and what was wrong); empty otherwise
 */
public record CaseRow(String caseId, int label, long voxels, double volumeMl, double dsc, double nsd,
                        double seconds, String status, String error) implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String OK = "ok";
    public static final String REUSED = "reused";
    public static final String FAILED = "failed";

    public CaseRow {
        Objects.requireNonNull(caseId, "case id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
    }

    /** The same row with another status (a reused row keeps its numbers). */
    public CaseRow withStatus(String newStatus) {
        return new CaseRow(caseId, label, voxels, volumeMl, dsc, nsd, seconds, newStatus, error);
    }

    /** A failed case's row. */
    public static CaseRow failed(String caseId, double seconds, String error) {
        return new CaseRow(caseId, 0, -1, Double.NaN, Double.NaN, Double.NaN, seconds, FAILED, error);
    }
}
