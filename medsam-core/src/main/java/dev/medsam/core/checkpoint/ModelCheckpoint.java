package dev.medsam.core.checkpoint;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The weights of any supported model with the architecture they belong to, checked against each other: a SAM or
 * MedSAM checkpoint ({@link SamCheckpoint}) or a LiteMedSAM one ({@link LiteMedSamCheckpoint}), told apart by
 * their tensors (TinyViT's convolutional patch embedding) rather than the file name. What
 * {@link dev.medsam.core.SegmentationSession.Builder#build()} and the command line load.
 *
 * <p>Immutable and thread-safe; the tensors may be views of a memory-mapped file (see {@link Checkpoints}).
 *
 * <pre>{@code
 * ModelCheckpoint checkpoint = ModelCheckpoint.load(Path.of("lite_medsam.pth"));
 * System.out.println(checkpoint.architecture().describe()); // litemedsam (TinyViT embed [64, 128, 160, 320], ...)
 * }</pre>
 */
public sealed interface ModelCheckpoint permits SamCheckpoint, LiteMedSamCheckpoint {

    /** Where the weights came from: the file path, or the source given to {@link #of}. */
    String source();

    /** The tensors, in PyTorch's state-dict order for {@link #architecture()}. */
    StateDict weights();

    /** The inferred architecture. */
    ModelArchitecture architecture();

    /**
     * Reads a {@code .pth} or safetensors checkpoint ({@link Checkpoints#read(Path)}) and checks it as a LiteMedSAM
     * checkpoint when it has TinyViT's patch embedding, else as a SAM one.
     *
     * @throws CheckpointException naming the file and what is wrong with it (the key, for missing, unexpected or
     *                             mis-shaped tensors)
     */
    static ModelCheckpoint load(Path file) throws CheckpointException {
        return Checkpoints.readChecked(file, ModelCheckpoint::of);
    }

    /**
     * Checks in-memory weights as {@link #load(Path)} checks a file.
     *
     * @param source where the weights came from, for messages
     * @throws CheckpointException if the architecture cannot be inferred or the weights do not match it
     */
    static ModelCheckpoint of(String source, StateDict weights) throws CheckpointException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(weights, "weights");
        return TinyVitArchitecture.looksLike(weights) ? LiteMedSamCheckpoint.of(source, weights)
                : SamCheckpoint.of(source, weights);
    }
}
