package dev.medsam.core.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of a SAM image encoder, as far as it varies between checkpoints. The prompt encoder and mask
 * decoder are the same for every SAM and MedSAM model (dim 256). Patch size 16, input 1024, MLP ratio 4 and
 * 256 output channels are fixed.
 *
 * <p>{@link #infer(StateDict)} reads the architecture off a checkpoint's tensor shapes,
 * {@link #expectedShapes()} lists every state-dict key the architecture needs, and {@link #validate(StateDict)}
 * checks a checkpoint against that list. Immutable and thread-safe.
 *
 * @param name              {@code vit_b}, {@code vit_l}, {@code vit_h}, or {@code custom}
 * @param embedDim          encoder width (768 for ViT-B)
 * @param depth             number of transformer blocks
 * @param heads             attention heads per block
 * @param windowSize        side of the local attention windows (14)
 * @param globalAttnIndexes blocks that attend globally, ascending
 */
public record SamArchitecture(String name, int embedDim, int depth, int heads, int windowSize,
                              List<Integer> globalAttnIndexes) implements ModelArchitecture {

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

    /** Prefix of the image encoder's transformer blocks in the state dict. */
    private static final String BLOCKS = "image_encoder.blocks.";
    private static final Pattern BLOCK_KEY = Pattern.compile("image_encoder\\.blocks\\.(0|[1-9][0-9]{0,5})\\.(.+)");
    private static final String PATCH_KEY = "image_encoder.patch_embed.proj.weight";
    /** Largest depth {@link #infer} accepts; far above ViT-H's 32, low enough to reject absurd block numbers. */
    private static final int MAX_DEPTH = 1000;

    /**
     * The encoder shape of the checkpoint {@code weights}, read from its tensor shapes: the embedding width from
     * {@code image_encoder.patch_embed.proj.weight} (E, 3, 16, 16), the depth from the block numbers, the head
     * width from the second dimension of {@code attn.rel_pos_h} (heads = E / head width), and per block the
     * length L = 2S-1 of the relative-position tables: S = 64 (the token grid) marks a global-attention block,
     * any other S is the window size, which all windowed blocks must share. Named {@code vit_b}, {@code vit_l}
     * or {@code vit_h} when it matches one of those exactly, else {@code custom}.
     *
     * <p>This looks only at the tensors it needs; {@link #validate(StateDict)} checks all of them.
     *
     * @throws CheckpointException saying which tensor is missing or has a shape no SAM encoder has
     */
    public static SamArchitecture infer(StateDict weights) throws CheckpointException {
        TensorData patch = weights.find(PATCH_KEY).orElseThrow(() -> new CheckpointException(
                "cannot infer the SAM architecture: no tensor '" + PATCH_KEY + "' (is this a SAM or MedSAM"
                        + " checkpoint? its first keys are " + firstKeys(weights) + ")"));
        int[] ps = patch.shape();
        if (ps.length != 4 || ps[0] <= 0 || ps[1] != 3 || ps[2] != PATCH_SIZE || ps[3] != PATCH_SIZE) {
            throw new CheckpointException("cannot infer the SAM architecture: '" + PATCH_KEY + "' has shape "
                    + Arrays.toString(ps) + ", expected [embed_dim, 3, 16, 16]");
        }
        int embedDim = ps[0];

        int maxBlock = -1;
        for (String key : weights.keys()) {
            Matcher m = BLOCK_KEY.matcher(key);
            if (m.matches()) {
                maxBlock = Math.max(maxBlock, Integer.parseInt(m.group(1)));
            }
        }
        if (maxBlock < 0) {
            throw new CheckpointException("cannot infer the SAM architecture: no image encoder blocks ('"
                    + BLOCKS + "N.*' keys)");
        }
        if (maxBlock >= MAX_DEPTH) {
            throw new CheckpointException("cannot infer the SAM architecture: block number " + maxBlock
                    + " is implausible (at most " + (MAX_DEPTH - 1) + " accepted)");
        }
        int depth = maxBlock + 1;

        // Per block: the table length of rel_pos_h gives global (S = 64) or windowed (S = window size).
        int gridTable = 2 * (IMAGE_SIZE / PATCH_SIZE) - 1;
        int headDim = -1;
        String headDimFrom = "";
        TreeMap<Integer, List<Integer>> windowTables = new TreeMap<>();
        List<Integer> global = new ArrayList<>();
        for (int b = 0; b < depth; b++) {
            // rel_pos_w has the same shape; it stands in when rel_pos_h is missing, which validate() reports.
            String key = BLOCKS + b + ".attn.rel_pos_h";
            Optional<TensorData> table = weights.find(key);
            if (table.isEmpty()) {
                key = BLOCKS + b + ".attn.rel_pos_w";
                table = weights.find(key);
            }
            if (table.isEmpty()) {
                continue; // validate() reports both missing tables with everything else that is missing
            }
            int[] ts = table.get().shape();
            if (ts.length != 2 || ts[0] <= 0 || ts[0] % 2 == 0 || ts[1] <= 0) {
                throw new CheckpointException("cannot infer the SAM architecture: '" + key + "' has shape "
                        + Arrays.toString(ts) + ", expected [2*S-1, head_dim]");
            }
            if (headDim < 0) {
                headDim = ts[1];
                headDimFrom = key;
            } else if (ts[1] != headDim) {
                throw new CheckpointException("cannot infer the SAM architecture: head width " + ts[1] + " of '"
                        + key + "' differs from " + headDim + " of '" + headDimFrom + "'");
            }
            if (ts[0] == gridTable) {
                global.add(b);
            } else {
                windowTables.computeIfAbsent((ts[0] + 1) / 2, s -> new ArrayList<>()).add(b);
            }
        }
        if (headDim < 0) {
            throw new CheckpointException("cannot infer the SAM architecture: no 'attn.rel_pos_h' tables, so the"
                    + " number of heads is unknown (SAM encoders without relative positions are not supported)");
        }
        if (embedDim % headDim != 0) {
            throw new CheckpointException("cannot infer the SAM architecture: embed dim " + embedDim
                    + " is not a multiple of the head width " + headDim + " (from '" + headDimFrom + "')");
        }
        if (windowTables.isEmpty()) {
            throw new CheckpointException("cannot infer the SAM architecture: every block attends globally"
                    + " (rel_pos tables of length " + gridTable + "), so the window size is unknown");
        }
        if (windowTables.size() > 1) {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<Integer, List<Integer>> e : windowTables.entrySet()) {
                sb.append(sb.length() == 0 ? "" : ", ").append("window ").append(e.getKey())
                        .append(" in blocks ").append(e.getValue());
            }
            throw new CheckpointException("cannot infer the SAM architecture: the windowed blocks disagree on the"
                    + " window size (" + sb + ")");
        }
        int windowSize = windowTables.firstKey();
        SamArchitecture found = new SamArchitecture("custom", embedDim, depth, embedDim / headDim, windowSize,
                global);
        for (SamArchitecture known : List.of(VIT_B, VIT_L, VIT_H)) {
            if (found.sameShape(known)) {
                return known;
            }
        }
        return found;
    }

    /** Whether this and {@code other} describe the same network, whatever their names. */
    public boolean sameShape(SamArchitecture other) {
        return embedDim == other.embedDim && depth == other.depth && heads == other.heads
                && windowSize == other.windowSize && globalAttnIndexes.equals(other.globalAttnIndexes);
    }

    /**
     * Every tensor of this architecture's state dict with its shape, in the order of PyTorch's
     * {@code Sam.state_dict()}: image encoder, prompt encoder, mask decoder. 314 entries and 93,735,728
     * values for ViT-B. The non-persistent buffers {@code pixel_mean} and {@code pixel_std} are not part of it.
     *
     * @return a new unmodifiable map (the arrays are fresh copies)
     */
    public Map<String, int[]> expectedShapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        int e = embedDim;
        int grid = gridSize();
        m.put("image_encoder.pos_embed", new int[] {1, grid, grid, e});
        m.put("image_encoder.patch_embed.proj.weight", new int[] {e, 3, PATCH_SIZE, PATCH_SIZE});
        m.put("image_encoder.patch_embed.proj.bias", new int[] {e});
        for (int b = 0; b < depth; b++) {
            String p = BLOCKS + b + ".";
            int table = 2 * (isGlobal(b) ? grid : windowSize) - 1;
            m.put(p + "norm1.weight", new int[] {e});
            m.put(p + "norm1.bias", new int[] {e});
            m.put(p + "attn.rel_pos_h", new int[] {table, headDim()});
            m.put(p + "attn.rel_pos_w", new int[] {table, headDim()});
            m.put(p + "attn.qkv.weight", new int[] {3 * e, e});
            m.put(p + "attn.qkv.bias", new int[] {3 * e});
            m.put(p + "attn.proj.weight", new int[] {e, e});
            m.put(p + "attn.proj.bias", new int[] {e});
            m.put(p + "norm2.weight", new int[] {e});
            m.put(p + "norm2.bias", new int[] {e});
            m.put(p + "mlp.lin1.weight", new int[] {mlpDim(), e});
            m.put(p + "mlp.lin1.bias", new int[] {mlpDim()});
            m.put(p + "mlp.lin2.weight", new int[] {e, mlpDim()});
            m.put(p + "mlp.lin2.bias", new int[] {e});
        }
        int c = OUT_CHANNELS;
        m.put("image_encoder.neck.0.weight", new int[] {c, e, 1, 1});
        m.put("image_encoder.neck.1.weight", new int[] {c});
        m.put("image_encoder.neck.1.bias", new int[] {c});
        m.put("image_encoder.neck.2.weight", new int[] {c, c, 3, 3});
        m.put("image_encoder.neck.3.weight", new int[] {c});
        m.put("image_encoder.neck.3.bias", new int[] {c});
        putPromptEncoder(m);
        putMaskDecoder(m);
        return Collections.unmodifiableMap(m);
    }

    /** The prompt encoder's tensors (shared by SAM and LiteMedSAM). */
    static void putPromptEncoder(Map<String, int[]> m) {
        int c = OUT_CHANNELS;
        m.put("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix", new int[] {2, c / 2});
        for (int i = 0; i < 4; i++) {
            m.put("prompt_encoder.point_embeddings." + i + ".weight", new int[] {1, c});
        }
        m.put("prompt_encoder.not_a_point_embed.weight", new int[] {1, c});
        // mask_downscaling: Conv(1->4, 2x2), LayerNorm2d(4), GELU, Conv(4->16, 2x2), LayerNorm2d(16), GELU, Conv(16->256, 1x1)
        m.put("prompt_encoder.mask_downscaling.0.weight", new int[] {4, 1, 2, 2});
        m.put("prompt_encoder.mask_downscaling.0.bias", new int[] {4});
        m.put("prompt_encoder.mask_downscaling.1.weight", new int[] {4});
        m.put("prompt_encoder.mask_downscaling.1.bias", new int[] {4});
        m.put("prompt_encoder.mask_downscaling.3.weight", new int[] {16, 4, 2, 2});
        m.put("prompt_encoder.mask_downscaling.3.bias", new int[] {16});
        m.put("prompt_encoder.mask_downscaling.4.weight", new int[] {16});
        m.put("prompt_encoder.mask_downscaling.4.bias", new int[] {16});
        m.put("prompt_encoder.mask_downscaling.6.weight", new int[] {c, 16, 1, 1});
        m.put("prompt_encoder.mask_downscaling.6.bias", new int[] {c});
        m.put("prompt_encoder.no_mask_embed.weight", new int[] {1, c});
    }

    /** The mask decoder's tensors (shared by SAM and LiteMedSAM). */
    static void putMaskDecoder(Map<String, int[]> m) {
        int c = OUT_CHANNELS;
        int inner = c / 2; // cross attention downsample rate 2
        String t = "mask_decoder.transformer.";
        for (int layer = 0; layer < 2; layer++) {
            String p = t + "layers." + layer + ".";
            putAttention(m, p + "self_attn.", c);
            putLinear(m, p + "norm1.", -1, c);
            putAttention(m, p + "cross_attn_token_to_image.", inner);
            putLinear(m, p + "norm2.", -1, c);
            putLinear(m, p + "mlp.lin1.", 2048, c);
            putLinear(m, p + "mlp.lin2.", c, 2048);
            putLinear(m, p + "norm3.", -1, c);
            putLinear(m, p + "norm4.", -1, c);
            putAttention(m, p + "cross_attn_image_to_token.", inner);
        }
        putAttention(m, t + "final_attn_token_to_image.", inner);
        putLinear(m, t + "norm_final_attn.", -1, c);
        m.put("mask_decoder.iou_token.weight", new int[] {1, c});
        m.put("mask_decoder.mask_tokens.weight", new int[] {4, c});
        // ConvTranspose2d weights are (in, out, kh, kw); LayerNorm2d(64) sits between them.
        m.put("mask_decoder.output_upscaling.0.weight", new int[] {c, c / 4, 2, 2});
        m.put("mask_decoder.output_upscaling.0.bias", new int[] {c / 4});
        m.put("mask_decoder.output_upscaling.1.weight", new int[] {c / 4});
        m.put("mask_decoder.output_upscaling.1.bias", new int[] {c / 4});
        m.put("mask_decoder.output_upscaling.3.weight", new int[] {c / 4, c / 8, 2, 2});
        m.put("mask_decoder.output_upscaling.3.bias", new int[] {c / 8});
        for (int i = 0; i < 4; i++) {
            String p = "mask_decoder.output_hypernetworks_mlps." + i + ".layers.";
            putLinear(m, p + "0.", c, c);
            putLinear(m, p + "1.", c, c);
            putLinear(m, p + "2.", c / 8, c);
        }
        String p = "mask_decoder.iou_prediction_head.layers.";
        putLinear(m, p + "0.", c, c);
        putLinear(m, p + "1.", c, c);
        putLinear(m, p + "2.", 4, c);
    }

    /** An attention module with projections embedding -> inner -> embedding. */
    private static void putAttention(Map<String, int[]> m, String prefix, int inner) {
        putLinear(m, prefix + "q_proj.", inner, OUT_CHANNELS);
        putLinear(m, prefix + "k_proj.", inner, OUT_CHANNELS);
        putLinear(m, prefix + "v_proj.", inner, OUT_CHANNELS);
        putLinear(m, prefix + "out_proj.", OUT_CHANNELS, inner);
    }

    /** A Linear (out, in) weight and (out) bias; with out = -1 a LayerNorm of width {@code in}. */
    private static void putLinear(Map<String, int[]> m, String prefix, int out, int in) {
        if (out < 0) {
            m.put(prefix + "weight", new int[] {in});
            m.put(prefix + "bias", new int[] {in});
        } else {
            m.put(prefix + "weight", new int[] {out, in});
            m.put(prefix + "bias", new int[] {out});
        }
    }

    /** Number of values in a state dict of this architecture (93,735,728 for ViT-B). */
    public long parameterCount() {
        return valueCount(expectedShapes());
    }

    /** The number of values in tensors of these shapes (shared with {@link TinyVitArchitecture}). */
    static long valueCount(Map<String, int[]> shapes) {
        long n = 0;
        for (int[] shape : shapes.values()) {
            long v = 1;
            for (int d : shape) {
                v *= d;
            }
            n += v;
        }
        return n;
    }

    /**
     * Checks that {@code weights} holds exactly the tensors of {@link #expectedShapes()}, with those shapes.
     *
     * @throws CheckpointException listing every missing, unexpected and mis-shaped key by name (one per line
     *                             after a one-line summary)
     */
    public void validate(StateDict weights) throws CheckpointException {
        checkKeys(weights, expectedShapes(), "SAM " + describe());
    }

    /** Shared by SAM and LiteMedSAM: {@code weights} must hold exactly {@code expected}; {@code model} names it. */
    static void checkKeys(StateDict weights, Map<String, int[]> expected, String model) throws CheckpointException {
        List<String> missing = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            Optional<TensorData> t = weights.find(e.getKey());
            if (t.isEmpty()) {
                missing.add(e.getKey() + " " + Arrays.toString(e.getValue()));
            } else if (!Arrays.equals(t.get().shape(), e.getValue())) {
                misShaped.add(e.getKey() + " has " + Arrays.toString(t.get().shape()) + ", expected "
                        + Arrays.toString(e.getValue()));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (TensorData t : weights.tensors()) {
            if (!expected.containsKey(t.name())) {
                unexpected.add(t.name() + " " + Arrays.toString(t.shape()));
            }
        }
        if (missing.isEmpty() && misShaped.isEmpty() && unexpected.isEmpty()) {
            return;
        }
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder("the weights do not match ").append(model).append(": ")
                .append(count(missing.size(), "missing key")).append(", ")
                .append(count(unexpected.size(), "unexpected key")).append(", ")
                .append(count(misShaped.size(), "mis-shaped key"));
        for (String s : missing) {
            sb.append(nl).append("missing: ").append(s);
        }
        for (String s : unexpected) {
            sb.append(nl).append("unexpected: ").append(s);
        }
        for (String s : misShaped) {
            sb.append(nl).append("mis-shaped: ").append(s);
        }
        throw new CheckpointException(sb.toString());
    }

    /** {@value #IMAGE_SIZE}: SAM's encoder takes a 1024x1024 image. */
    @Override
    public int imageSize() {
        return IMAGE_SIZE;
    }

    /** A one-line description, e.g. {@code vit_b (embed 768, depth 12, heads 12, window 14, global [2, 5, 8, 11])}. */
    public String describe() {
        return name + " (embed " + embedDim + ", depth " + depth + ", heads " + heads + ", window " + windowSize
                + ", global " + globalAttnIndexes + ")";
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static String firstKeys(StateDict weights) {
        List<String> keys = new ArrayList<>();
        for (String k : weights.keys()) {
            if (keys.size() == 3) {
                keys.add("...");
                break;
            }
            keys.add(k.length() > 80 ? k.substring(0, 77) + "..." : k);
        }
        return keys.toString();
    }
}
