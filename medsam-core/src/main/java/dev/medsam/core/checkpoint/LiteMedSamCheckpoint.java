package dev.medsam.core.checkpoint;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The weights of a LiteMedSAM model ({@code lite_medsam.pth} as published: a plain state dict of the reference's
 * {@code MedSAM_Lite} module, or the same tensors as safetensors) with the TinyViT architecture they belong to,
 * checked against each other: every tensor the architecture needs is there with the right shape and there is
 * nothing else.
 *
 * <p>{@link #weights()} lists the tensors in PyTorch's {@code state_dict()} order for the architecture (see
 * {@link TinyVitArchitecture#expectedShapes()}), whatever order the file used. BatchNorm statistics are kept as
 * stored; a backend folds them into the convolutions. Immutable and thread-safe; the tensors may be views of a
 * memory-mapped file (see {@link Checkpoints}).
 *
 * <pre>{@code
 * LiteMedSamCheckpoint checkpoint = LiteMedSamCheckpoint.load(Path.of("lite_medsam.pth"));
 * System.out.println(checkpoint.architecture().describe()); // litemedsam (TinyViT embed [64, 128, 160, 320], ...)
 * }</pre>
 */
public final class LiteMedSamCheckpoint extends CheckedCheckpoint<TinyVitArchitecture> implements ModelCheckpoint {

    private LiteMedSamCheckpoint(String source, StateDict weights, TinyVitArchitecture architecture) throws CheckpointException {
        super(source, weights, architecture);
    }

    /**
     * Reads a {@code .pth} or safetensors checkpoint ({@link Checkpoints#read(Path)}), infers its TinyViT
     * architecture and validates the tensors against it.
     *
     * @throws CheckpointException naming the file and what is wrong with it
     */
    public static LiteMedSamCheckpoint load(Path file) throws CheckpointException {
        return Checkpoints.readChecked(file, LiteMedSamCheckpoint::of);
    }

    /**
     * Checks in-memory weights as {@link #load(Path)} checks a file.
     *
     * @param source where the weights came from, for messages
     * @throws CheckpointException if the architecture cannot be inferred or the weights do not match it
     */
    public static LiteMedSamCheckpoint of(String source, StateDict weights) throws CheckpointException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(weights, "weights");
        if (!TinyVitArchitecture.looksLike(weights)) {
            throw new CheckpointException("not a LiteMedSAM checkpoint: no TinyViT patch embedding"
                    + " ('image_encoder.patch_embed.seq.*' keys)"
                    + (weights.find("image_encoder.patch_embed.proj.weight").isPresent()
                    ? "; it looks like a SAM ViT checkpoint (use SamCheckpoint)" : ""));
        }
        TinyVitArchitecture architecture = TinyVitArchitecture.infer(weights);
        return new LiteMedSamCheckpoint(source, weights, architecture);
    }
}
