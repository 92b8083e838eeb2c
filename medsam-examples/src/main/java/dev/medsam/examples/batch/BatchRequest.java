package dev.medsam.examples.batch;

import dev.medsam.examples.eval.ChallengeMetrics;
import dev.medsam.io.numpy.SpacingOrder;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One {@code medsam batch} run as the command line parsed and checked it, handed to the {@link BatchRunner} that
 * medsam-spark provides. Immutable.
 *
 * @param input        what to segment: a challenge folder (scored or not) or a cases table
 * @param checkpoint   the checkpoint file (on a cluster, a path every executor can read)
 * @param out          the output folder
 * @param master       the Spark master URL, or empty for spark-submit's (when run by it), else {@code local[*]}
 * @param partitions   Spark partitions; 0 for one per case, at most four per task slot
 * @param threads      intra-op threads of each executor's model (one pool its tasks share); 0 for the executor's cores
 * @param precision    {@code fp32} or {@code bf16}
 * @param toleranceMm  the NSD tolerance in mm (pixels for 2D cases)
 * @param spacingOrder how challenge npz {@code spacing} arrays are ordered
 */
public record BatchRequest(Input input, Path checkpoint, Path out, String master, int partitions, int threads,
                           String precision, double toleranceMm, SpacingOrder spacingOrder) {

    public BatchRequest {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(out, "output folder");
        Objects.requireNonNull(master, "master (empty for the default)");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(spacingOrder, "spacing order");
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must be 0 (Spark's default) or positive, got " + partitions);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (the executor's cores) or positive, got " + threads);
        }
        if (!precision.equals("fp32") && !precision.equals("bf16")) {
            throw new IllegalArgumentException("precision must be fp32 or bf16, got " + precision);
        }
        ChallengeMetrics.checkToleranceMm(toleranceMm);
    }

    /** What a batch segments. */
    public sealed interface Input permits ChallengeFolder, ScoredChallengeFolder, CasesTable {
    }

    /** Every {@code <case>.npz} of a challenge-layout folder, boxes from the files, not scored. */
    public record ChallengeFolder(Path images) implements Input {
        public ChallengeFolder {
            Objects.requireNonNull(images, "images folder");
        }
    }

    /** As {@link ChallengeFolder}, scored against the ground-truth npz files of the same names in {@code groundTruth}. */
    public record ScoredChallengeFolder(Path images, Path groundTruth) implements Input {
        public ScoredChallengeFolder {
            Objects.requireNonNull(images, "images folder");
            Objects.requireNonNull(groundTruth, "ground-truth folder");
        }
    }

    /** A cases table ({@code .csv} with a header, or {@code .parquet}): case, image, prompts and optionally gt. */
    public record CasesTable(Path table) implements Input {
        public CasesTable {
            Objects.requireNonNull(table, "cases table");
        }
    }
}
