package dev.medsam.spark.internal;

import java.io.Serializable;
import java.util.Objects;

/**
 * One case of a batch, as the driver hands it to a task.
 *
 * @param id          the case id; the output file names derive from it
 * @param image       the image path (challenge mode: the case npz)
 * @param prompts     table mode: the prompts as JSON text; empty in challenge mode (boxes come from the npz)
 * @param groundTruth table mode: the ground-truth path, or empty for none
 * @param challenge   whether the case is a challenge npz (boxes from the file, {@code segs} npz out)
 */
public record CaseSpec(String id, String image, String prompts, String groundTruth, boolean challenge)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public CaseSpec {
        Objects.requireNonNull(id, "case id");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(prompts, "prompts");
        Objects.requireNonNull(groundTruth, "ground truth");
    }
}
