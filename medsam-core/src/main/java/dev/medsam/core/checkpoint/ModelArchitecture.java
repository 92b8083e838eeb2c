package dev.medsam.core.checkpoint;

import java.util.Map;

/**
 * The shape of a promptable segmentation network as read from a checkpoint: a SAM ViT image encoder
 * ({@link SamArchitecture}: SAM and MedSAM, 1024x1024 input) or LiteMedSAM's TinyViT ({@link TinyVitArchitecture},
 * 256x256 input). Both share SAM's prompt encoder and mask decoder on a (1, 256, 64, 64) image embedding, so a
 * backend builds the same decoder for either; what differs is the encoder and the side of the square input
 * frame the prompts are expressed in. Sealed, so a switch over the two kinds is exhaustive.
 *
 * <p>Implementations are immutable records and thread-safe.
 */
public sealed interface ModelArchitecture permits SamArchitecture, TinyVitArchitecture {

    /** Channels of the image embedding and width of the prompt encoder and mask decoder (both kinds). */
    int EMBEDDING_CHANNELS = 256;
    /** Side of the image embedding grid (both kinds). */
    int EMBEDDING_SIZE = 64;

    /** {@code vit_b}, {@code vit_l}, {@code vit_h}, {@code litemedsam} or {@code custom}. */
    String name();

    /**
     * Side of the square image the encoder takes, in pixels: 1024 for SAM and MedSAM, 256 for LiteMedSAM. Prompts
     * reach the prompt encoder in this frame.
     */
    int imageSize();

    /** A one-line description with the shape, e.g. {@code vit_b (embed 768, ...)}. */
    String describe();

    /** Number of values in a state dict of this architecture. */
    long parameterCount();

    /** Every tensor of this architecture's state dict with its shape, in PyTorch's state-dict order. */
    Map<String, int[]> expectedShapes();

    /**
     * Checks that {@code weights} hold exactly the tensors of {@link #expectedShapes()}, with those shapes.
     *
     * @throws CheckpointException listing every missing, unexpected and mis-shaped key by name
     */
    void validate(StateDict weights) throws CheckpointException;
}
