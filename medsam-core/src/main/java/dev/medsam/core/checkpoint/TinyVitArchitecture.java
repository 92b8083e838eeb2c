package dev.medsam.core.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of a LiteMedSAM model: a TinyViT image encoder for a 256x256 input with SAM's prompt encoder and
 * mask decoder (a 64x64 image embedding of 256 channels), as built by the CVPR 2024 "MedSAM on Laptop"
 * reference ({@code MedSAM_Lite} in bowang-lab/MedSAM, branch LiteMedSAM).
 *
 * <p>TinyViT has {@code n} layers. Layer 0 is convolutional (MBConv blocks, expansion 4); layers 1..n-1 are
 * transformer layers with window attention, so {@link #heads()} and {@link #windowSizes()} have one entry per
 * transformer layer ({@code n - 1} entries). Every layer but the last ends in a PatchMerging to the next
 * layer's width. The MLP ratio (4), the local convolution (3x3 depthwise) and the neck (256 channels) are
 * fixed; the patch embedding's kernel size is read from the weights (1 in LiteMedSAM).
 *
 * <p>Immutable and thread-safe.
 *
 * @param name        {@code litemedsam} when the shape is the published LiteMedSAM's, else {@code custom}
 * @param patchKernel side of the two patch-embedding convolutions (odd)
 * @param embedDims   width of each layer, layer 0 first
 * @param depths      blocks per layer
 * @param heads       attention heads of each transformer layer (layers 1..n-1)
 * @param windowSizes attention window side of each transformer layer (layers 1..n-1)
 */
public record TinyVitArchitecture(String name, int patchKernel, List<Integer> embedDims, List<Integer> depths,
                                  List<Integer> heads, List<Integer> windowSizes) implements ModelArchitecture {

    /**
     * LiteMedSAM as published ({@code lite_medsam.pth}): embed dims [64, 128, 160, 320], depths [2, 2, 6, 2],
     * heads [4, 5, 10] and windows [7, 14, 7] for layers 1-3 (the reference's configuration lists 2 heads and
     * window 7 for layer 0 too, which its convolutional layer does not use), 1x1 patch embedding.
     */
    public static final TinyVitArchitecture LITE_MEDSAM = new TinyVitArchitecture("litemedsam", 1,
            List.of(64, 128, 160, 320), List.of(2, 2, 6, 2), List.of(4, 5, 10), List.of(7, 14, 7));

    /** Side of the square network input. */
    public static final int IMAGE_SIZE = 256;
    /** Side of the image embedding (SAM's decoder works on 64x64). */
    public static final int EMBEDDING_SIZE = 64;
    /** Channels of the image embedding. */
    public static final int OUT_CHANNELS = SamArchitecture.OUT_CHANNELS;
    /** Expansion of the MBConv blocks and hidden-width ratio of the transformer MLPs. */
    public static final int EXPANSION = 4;

    private static final String ENCODER = "image_encoder.";
    private static final String LAYERS = ENCODER + "layers.";
    private static final String PATCH0 = ENCODER + "patch_embed.seq.0.c.weight";
    private static final String PATCH2 = ENCODER + "patch_embed.seq.2.c.weight";
    private static final Pattern LAYER_KEY =
            Pattern.compile("image_encoder\\.layers\\.(0|[1-9][0-9]{0,5})\\.(?:blocks\\.(0|[1-9][0-9]{0,5})\\.)?.*");
    /** Upper bound on layers and blocks {@link #infer} accepts; absurd numbers are refused before any loop. */
    private static final int MAX_COUNT = 1000;

    public TinyVitArchitecture {
        Objects.requireNonNull(name, "name");
        embedDims = List.copyOf(embedDims);
        depths = List.copyOf(depths);
        heads = List.copyOf(heads);
        windowSizes = List.copyOf(windowSizes);
        int n = embedDims.size();
        if (n < 2) {
            throw new IllegalArgumentException("TinyViT needs a convolutional layer and at least one transformer"
                    + " layer, got " + n + " layer(s)");
        }
        if (depths.size() != n || heads.size() != n - 1 || windowSizes.size() != n - 1) {
            throw new IllegalArgumentException("TinyViT with " + n + " layers needs " + n + " depths, " + (n - 1)
                    + " head counts and " + (n - 1) + " window sizes, got " + depths + ", " + heads + ", "
                    + windowSizes);
        }
        if (patchKernel <= 0 || patchKernel % 2 == 0) {
            throw new IllegalArgumentException("patch-embedding kernel must be odd and positive, got " + patchKernel);
        }
        for (int i = 0; i < n; i++) {
            if (embedDims.get(i) <= 0 || depths.get(i) <= 0) {
                throw new IllegalArgumentException("layer " + i + ": width " + embedDims.get(i) + " and depth "
                        + depths.get(i) + " must be positive");
            }
        }
        if (embedDims.get(0) % 2 != 0) {
            throw new IllegalArgumentException("layer 0 width must be even (the patch embedding halves it), got "
                    + embedDims.get(0));
        }
        for (int i = 1; i < n; i++) {
            int h = heads.get(i - 1);
            int w = windowSizes.get(i - 1);
            if (h <= 0 || embedDims.get(i) % h != 0) {
                throw new IllegalArgumentException("layer " + i + ": " + h + " heads do not divide width "
                        + embedDims.get(i));
            }
            if (w <= 0) {
                throw new IllegalArgumentException("layer " + i + ": window size must be positive, got " + w);
            }
        }
    }

    /** {@value #IMAGE_SIZE}: LiteMedSAM's TinyViT takes a 256x256 image. */
    @Override
    public int imageSize() {
        return IMAGE_SIZE;
    }

    /** Number of layers (4 for LiteMedSAM). */
    public int layerCount() {
        return embedDims.size();
    }

    /**
     * Whether {@code weights} look like a TinyViT (LiteMedSAM) checkpoint rather than a SAM ViT one: they have
     * TinyViT's convolutional patch embedding ({@code image_encoder.patch_embed.seq.*}).
     */
    public static boolean looksLike(StateDict weights) {
        for (String key : weights.keys()) {
            if (key.startsWith(ENCODER + "patch_embed.seq.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The shape of the checkpoint {@code weights}, read from tensor shapes: the patch kernel and layer-0 width
     * from {@code patch_embed.seq.2.c.weight} (d0, d0/2, k, k), the layer and block counts from the key
     * numbers, and for each transformer layer its width from {@code attn.norm.weight}, its heads and window
     * from {@code attn.attention_biases} (heads, window^2) of block 0. {@link #validate(StateDict)} checks the
     * rest.
     *
     * @throws CheckpointException naming the tensor that is missing or has a shape no TinyViT has
     */
    public static TinyVitArchitecture infer(StateDict weights) throws CheckpointException {
        int[] p2 = shape(weights, PATCH2, "[d0, d0/2, k, k]");
        if (p2.length != 4 || p2[0] <= 0 || p2[0] % 2 != 0 || p2[1] * 2 != p2[0] || p2[2] != p2[3]
                || p2[2] <= 0 || p2[2] % 2 == 0) {
            throw misShaped(PATCH2, p2, "[d0, d0/2, k, k] with d0 even and k odd");
        }
        int kernel = p2[2];
        int[] p0 = shape(weights, PATCH0, "[d0/2, 3, k, k]");
        if (!Arrays.equals(p0, new int[] {p2[1], 3, kernel, kernel})) {
            throw misShaped(PATCH0, p0, Arrays.toString(new int[] {p2[1], 3, kernel, kernel}));
        }
        int maxLayer = -1;
        Map<Integer, Integer> maxBlock = new LinkedHashMap<>();
        for (String key : weights.keys()) {
            Matcher m = LAYER_KEY.matcher(key);
            if (m.matches()) {
                int layer = Integer.parseInt(m.group(1));
                if (layer >= MAX_COUNT) {
                    throw new CheckpointException("cannot infer the TinyViT architecture: layer number " + layer
                            + " in '" + key + "' is implausible");
                }
                maxLayer = Math.max(maxLayer, layer);
                if (m.group(2) != null) {
                    int block = Integer.parseInt(m.group(2));
                    if (block >= MAX_COUNT) {
                        throw new CheckpointException("cannot infer the TinyViT architecture: block number "
                                + block + " in '" + key + "' is implausible");
                    }
                    maxBlock.merge(layer, block, Math::max);
                }
            }
        }
        if (maxLayer < 1) {
            throw new CheckpointException("cannot infer the TinyViT architecture: expected at least two encoder"
                    + " layers ('" + LAYERS + "N.blocks.M.*' keys), found " + (maxLayer + 1));
        }
        List<Integer> dims = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        List<Integer> heads = new ArrayList<>();
        List<Integer> windows = new ArrayList<>();
        dims.add(p2[0]);
        for (int layer = 0; layer <= maxLayer; layer++) {
            Integer blocks = maxBlock.get(layer);
            if (blocks == null) {
                throw new CheckpointException("cannot infer the TinyViT architecture: layer " + layer
                        + " has no blocks (no '" + LAYERS + layer + ".blocks.0.*' keys)");
            }
            depths.add(blocks + 1);
            if (layer == 0) {
                continue;
            }
            String prefix = LAYERS + layer + ".blocks.0.attn.";
            int[] norm = shape(weights, prefix + "norm.weight", "[width]");
            if (norm.length != 1 || norm[0] <= 0) {
                throw misShaped(prefix + "norm.weight", norm, "[width]");
            }
            int[] bias = shape(weights, prefix + "attention_biases", "[heads, window^2]");
            int window = bias.length == 2 ? (int) Math.round(Math.sqrt(bias[1])) : -1;
            if (bias.length != 2 || bias[0] <= 0 || window <= 0 || window * window != bias[1]
                    || norm[0] % bias[0] != 0) {
                throw misShaped(prefix + "attention_biases", bias, "[heads, window^2] with heads dividing "
                        + norm[0]);
            }
            dims.add(norm[0]);
            heads.add(bias[0]);
            windows.add(window);
        }
        TinyVitArchitecture found = new TinyVitArchitecture("custom", kernel, dims, depths, heads, windows);
        return found.sameShape(LITE_MEDSAM) ? LITE_MEDSAM : found;
    }

    /** Whether this and {@code other} describe the same network, whatever their names. */
    public boolean sameShape(TinyVitArchitecture other) {
        return patchKernel == other.patchKernel && embedDims.equals(other.embedDims) && depths.equals(other.depths)
                && heads.equals(other.heads) && windowSizes.equals(other.windowSizes);
    }

    /**
     * Every tensor of this architecture's state dict with its shape, in the order of PyTorch's
     * {@code MedSAM_Lite.state_dict()}: image encoder, mask decoder, prompt encoder. BatchNorm layers have
     * weight, bias, running mean and variance and the 0-d {@code num_batches_tracked} counter. 435 entries and
     * 9,801,439 values (counters included) for {@link #LITE_MEDSAM}.
     *
     * @return a new unmodifiable map (the arrays are fresh copies)
     */
    public Map<String, int[]> expectedShapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        int d0 = embedDims.get(0);
        putConvBn(m, ENCODER + "patch_embed.seq.0.", d0 / 2, 3, patchKernel);
        putConvBn(m, ENCODER + "patch_embed.seq.2.", d0, d0 / 2, patchKernel);
        for (int layer = 0; layer < layerCount(); layer++) {
            int d = embedDims.get(layer);
            for (int b = 0; b < depths.get(layer); b++) {
                String p = LAYERS + layer + ".blocks." + b + ".";
                if (layer == 0) {
                    putConvBn(m, p + "conv1.", EXPANSION * d, d, 1);
                    putConvBn(m, p + "conv2.", EXPANSION * d, 1, 3);
                    putConvBn(m, p + "conv3.", d, EXPANSION * d, 1);
                } else {
                    int w = windowSizes.get(layer - 1);
                    m.put(p + "attn.attention_biases", new int[] {heads.get(layer - 1), w * w});
                    putVector(m, p + "attn.norm.", d);
                    putLinear(m, p + "attn.qkv.", 3 * d, d);
                    putLinear(m, p + "attn.proj.", d, d);
                    putVector(m, p + "mlp.norm.", d);
                    putLinear(m, p + "mlp.fc1.", EXPANSION * d, d);
                    putLinear(m, p + "mlp.fc2.", d, EXPANSION * d);
                    putConvBn(m, p + "local_conv.", d, 1, 3);
                }
            }
            if (layer + 1 < layerCount()) {
                int out = embedDims.get(layer + 1);
                String p = LAYERS + layer + ".downsample.";
                putConvBn(m, p + "conv1.", out, d, 1);
                putConvBn(m, p + "conv2.", out, 1, 3);
                putConvBn(m, p + "conv3.", out, out, 1);
            }
        }
        int c = OUT_CHANNELS;
        m.put(ENCODER + "neck.0.weight", new int[] {c, embedDims.get(layerCount() - 1), 1, 1});
        putVector(m, ENCODER + "neck.1.", c);
        m.put(ENCODER + "neck.2.weight", new int[] {c, c, 3, 3});
        putVector(m, ENCODER + "neck.3.", c);
        SamArchitecture.putMaskDecoder(m);
        SamArchitecture.putPromptEncoder(m);
        return Collections.unmodifiableMap(m);
    }

    /** A bias-free Conv2d (out, in, k, k) and its BatchNorm. */
    private static void putConvBn(Map<String, int[]> m, String prefix, int out, int in, int k) {
        m.put(prefix + "c.weight", new int[] {out, in, k, k});
        m.put(prefix + "bn.weight", new int[] {out});
        m.put(prefix + "bn.bias", new int[] {out});
        m.put(prefix + "bn.running_mean", new int[] {out});
        m.put(prefix + "bn.running_var", new int[] {out});
        m.put(prefix + "bn.num_batches_tracked", new int[] {});
    }

    private static void putVector(Map<String, int[]> m, String prefix, int n) {
        m.put(prefix + "weight", new int[] {n});
        m.put(prefix + "bias", new int[] {n});
    }

    private static void putLinear(Map<String, int[]> m, String prefix, int out, int in) {
        m.put(prefix + "weight", new int[] {out, in});
        m.put(prefix + "bias", new int[] {out});
    }

    /** Number of values in a state dict of this architecture, counters included (9,801,439 for LiteMedSAM). */
    public long parameterCount() {
        return SamArchitecture.valueCount(expectedShapes());
    }

    /**
     * Checks that {@code weights} hold exactly the tensors of {@link #expectedShapes()}, with those shapes.
     *
     * @throws CheckpointException listing every missing, unexpected and mis-shaped key by name (one per line
     *                             after a one-line summary)
     */
    public void validate(StateDict weights) throws CheckpointException {
        SamArchitecture.checkKeys(weights, expectedShapes(), "LiteMedSAM " + describe());
    }

    /**
     * A one-line description, e.g. {@code litemedsam (TinyViT embed [64, 128, 160, 320], depths [2, 2, 6, 2],
     * heads [4, 5, 10], windows [7, 14, 7], patch kernel 1)}.
     */
    public String describe() {
        return name + " (TinyViT embed " + embedDims + ", depths " + depths + ", heads " + heads + ", windows "
                + windowSizes + ", patch kernel " + patchKernel + ")";
    }

    private static int[] shape(StateDict weights, String key, String expected) throws CheckpointException {
        Optional<TensorData> t = weights.find(key);
        if (t.isEmpty()) {
            throw new CheckpointException("cannot infer the TinyViT architecture: no tensor '" + key
                    + "' (expected shape " + expected + ")");
        }
        return t.get().shape();
    }

    private static CheckpointException misShaped(String key, int[] shape, String expected) {
        return new CheckpointException("cannot infer the TinyViT architecture: '" + key + "' has shape "
                + Arrays.toString(shape) + ", expected " + expected);
    }
}
