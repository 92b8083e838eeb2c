package dev.medsam.core.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link SamCheckpoint} and {@link LiteMedSamCheckpoint} share: weights checked against their architecture
 * when constructed and kept in its state-dict order, with where they came from. Package-private: applications see
 * the two public classes and {@link ModelCheckpoint}. Immutable and thread-safe.
 *
 * @param <A> the kind of architecture
 */
abstract sealed class CheckedCheckpoint<A extends ModelArchitecture> permits SamCheckpoint, LiteMedSamCheckpoint {

    private final String source;
    private final StateDict weights;
    private final A architecture;

    /**
     * Validates {@code weights} against {@code architecture} and keeps them in the architecture's state-dict order
     * ({@link ModelArchitecture#expectedShapes()}), whatever order the file used.
     *
     * @throws CheckpointException listing every missing, unexpected and mis-shaped key
     */
    CheckedCheckpoint(String source, StateDict weights, A architecture) throws CheckpointException {
        this.source = source;
        this.architecture = architecture;
        architecture.validate(weights);
        List<TensorData> ordered = new ArrayList<>(weights.size());
        for (String key : architecture.expectedShapes().keySet()) {
            ordered.add(weights.get(key));
        }
        this.weights = StateDict.of(ordered);
    }

    /** The inferred architecture. */
    public A architecture() {
        return architecture;
    }

    /** The tensors, in PyTorch's state-dict order for {@link #architecture()}. */
    public StateDict weights() {
        return weights;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + source + ", " + architecture.describe() + "]";
    }

    /** Where the weights came from: the file path as given to {@code load(Path)}, or the source given to {@code of}. */
    public String source() {
        return source;
    }
}
