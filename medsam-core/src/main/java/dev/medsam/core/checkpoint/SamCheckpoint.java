package dev.medsam.core.checkpoint;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The weights of a SAM or MedSAM model with the architecture they belong to, checked against each other:
 * every tensor the architecture needs is there with the right shape and there is nothing else.
 *
 * <p>{@link #weights()} lists the tensors in the order of PyTorch's {@code state_dict()} for the architecture
 * (see {@link SamArchitecture#expectedShapes()}), whatever order the file used, so a {@code .pth} and a
 * safetensors copy of one model give equal key sequences. Immutable and thread-safe; the tensors may be views
 * of a memory-mapped file (see {@link Checkpoints}).
 *
 * <pre>{@code
 * SamCheckpoint checkpoint = SamCheckpoint.load(Path.of("medsam_vit_b.pth"));
 * System.out.println(checkpoint.architecture().describe()); // vit_b (embed 768, depth 12, ...)
 * }</pre>
 */
public final class SamCheckpoint extends CheckedCheckpoint<SamArchitecture> implements ModelCheckpoint {

    private SamCheckpoint(String source, StateDict weights, SamArchitecture architecture) throws CheckpointException {
        super(source, weights, architecture);
    }

    /**
     * Reads a {@code .pth} or safetensors checkpoint ({@link Checkpoints#read(Path)}), infers its architecture
     * ({@link SamArchitecture#infer(StateDict)}) and validates the tensors against it.
     *
     * @throws CheckpointException naming the file and what is wrong with it
     */
    public static SamCheckpoint load(Path file) throws CheckpointException {
        return Checkpoints.readChecked(file, SamCheckpoint::of);
    }

    /**
     * Checks in-memory weights (generated, converted or read elsewhere) as {@link #load(Path)} checks a file.
     *
     * @param source where the weights came from, for messages (e.g. a file name or {@code "vitb-formula"})
     * @throws CheckpointException if the architecture cannot be inferred or the weights do not match it
     */
    public static SamCheckpoint of(String source, StateDict weights) throws CheckpointException {
        Objects.requireNonNull(source, "source");
        if (TinyVitArchitecture.looksLike(weights)) {
            // Without this, the user would read about a missing ViT patch embedding instead of the real cause.
            throw new CheckpointException("this is a LiteMedSAM (TinyViT) checkpoint, not a SAM ViT one: read it"
                    + " with LiteMedSamCheckpoint, or with ModelCheckpoint, which takes either kind");
        }
        SamArchitecture architecture = SamArchitecture.infer(weights);
        return new SamCheckpoint(source, weights, architecture);
    }
}
