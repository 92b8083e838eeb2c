package dev.medsam.spark.internal;

import dev.medsam.examples.eval.ChallengeMetrics;

import java.io.Serializable;
import java.util.Objects;

/**
 * What every task needs to know, shipped to the executors with the task closure (small: paths and numbers, never
 * the model). Strings rather than {@link java.nio.file.Path}s because paths are not serialisable; an empty string
 * means "not given".
 *
 * @param checkpoint   the checkpoint, a path every executor can read
 * @param threads      intra-op threads of the executor's model (0: the backend's default)
 * @param precision    the TensorFlow backend's precision option (fp32 or bf16)
 * @param out          the output folder (shared storage on a cluster)
 * @param challengeGt  challenge mode: the ground-truth folder, or empty for no scores
 * @param toleranceMm  the NSD tolerance
 * @param spacingOrder challenge mode: the name of the {@link dev.medsam.io.numpy.SpacingOrder}
 * @param fingerprint  identifies the model and settings: a rerun with other settings recomputes every case
 */
public record JobSettings(String checkpoint, int threads, String precision, String out, String challengeGt,
                          double toleranceMm, String spacingOrder, String fingerprint) implements Serializable {

    private static final long serialVersionUID = 1L;

    public JobSettings {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(challengeGt, "challenge ground truth");
        Objects.requireNonNull(spacingOrder, "spacing order");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 or positive, got " + threads);
        }
        ChallengeMetrics.checkToleranceMm(toleranceMm);
    }
}
