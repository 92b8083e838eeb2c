package dev.medsam.core.checkpoint;

import java.util.List;
import java.util.Objects;

/**
 * The shape of a SAM image encoder, as far as it varies between checkpoints. The prompt encoder and mask
 * decoder are the same for every SAM and MedSAM model (dim 256). Patch size 16, input 1024, MLP ratio 4 and
 * 256 output channels are fixed.
 *
 * @param name              {@code vit_b}, {@code vit_l}, {@code vit_h}, or {@code custom}
 * @param embedDim          encoder width (768 for ViT-B)
 * @param depth             number of transformer blocks
 * @param heads             attention heads per block
 * @param windowSize        side of the local attention windows (14)
 * @param globalAttnIndexes blocks that attend globally, ascending
 */
public record SamArchitecture(String name, int embedDim, int depth, int heads, int windowSize,
                              List<Integer> globalAttnIndexes) {

    /** SAM / MedSAM ViT-B: 768, 12 blocks, 12 heads, global blocks 2, 5, 8, 11. */
    public static final SamArchitecture VIT_B = new SamArchitecture("vit_b", 768, 12, 12, 14, List.of(2, 5, 8, 11));
    /** SAM ViT-L. */
    public static final SamArchitecture VIT_L = new SamArchitecture("vit_l", 1024, 24, 16, 14, List.of(5, 11, 17, 23));
    /** SAM ViT-H. */
    public static final SamArchitecture VIT_H = new SamArchitecture("vit_h", 1280, 32, 16, 14, List.of(7, 15, 23, 31));

    /** Side of the square network input. */
    public static final int IMAGE_SIZE = 1024;
    /** Patch size of the patch embedding. */
    public static final int PATCH_SIZE = 16;
    /** Channels of the image embedding and width of the prompt encoder and mask decoder. */
    public static final int OUT_CHANNELS = 256;

    public SamArchitecture {
        Objects.requireNonNull(name, "name");
        globalAttnIndexes = List.copyOf(globalAttnIndexes);
        if (embedDim <= 0 || depth <= 0 || heads <= 0 || embedDim % heads != 0) {
            throw new IllegalArgumentException("invalid encoder shape: embed dim " + embedDim + ", depth " + depth
                    + ", heads " + heads);
        }
        if (windowSize <= 0) {
            throw new IllegalArgumentException("window size must be positive, got " + windowSize);
        }
        for (int i : globalAttnIndexes) {
            if (i < 0 || i >= depth) {
                throw new IllegalArgumentException("global attention block " + i + " outside 0.." + (depth - 1));
            }
        }
    }

    /** Width of one attention head. */
    public int headDim() {
        return embedDim / heads;
    }

    /** Hidden width of the encoder MLPs (4x the embedding). */
    public int mlpDim() {
        return 4 * embedDim;
    }

    /** Whether block {@code index} attends over the whole 64x64 grid rather than in windows. */
    public boolean isGlobal(int index) {
        return globalAttnIndexes.contains(index);
    }

    /** Side of the token grid (64). */
    public int gridSize() {
        return IMAGE_SIZE / PATCH_SIZE;
    }
}
