package dev.medsam.tensorflow.internal;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

import java.util.List;

/**
 * SAM's prompt encoder (segment_anything/modeling/prompt_encoder.py) as graph pieces.
 *
 * <p>Points and box corners are handled alike: a prompt is a list of (x, y) coordinates in the 1024 frame with a
 * code per entry: -1 padding point, 0 negative point, 1 positive point, 2 top-left box corner, 3 bottom-right box
 * corner. The embedding of entry i is {@code pe(x+0.5, y+0.5) + table[code+1]}, except that padding entries take
 * no positional encoding, where table = [not_a_point_embed, point_embeddings 0..3]. This is exactly
 * _embed_points followed by _embed_boxes, concatenated.
 */
final class PromptEncoderGraph {

    static final int DIM = 256;
    static final int GRID = 64;
    static final float IMAGE_SIZE = 1024f;
    /** LayerNorm2d default epsilon in the mask downscaling. */
    static final float EPS = 1e-6f;
    /** PyTorch evaluates 2 * np.pi in double, then multiplies the float32 tensor by it as a float32 scalar. */
    private static final float TWO_PI = (float) (2 * Math.PI);

    /** Coordinates (B, N, 2) in the 1024 frame. */
    final Placeholder<TFloat32> coords;
    /** Entry codes (B, N), see the class comment. */
    final Placeholder<TInt32> codes;
    /** Sparse embeddings (B, N, 256). */
    final Operand<TFloat32> sparse;
    /** Mask prompt input (B, 256, 256) of low-resolution logits. */
    final Placeholder<TFloat32> maskInput;
    /** Embedded mask prompt in token order (B, 4096, 256). */
    final Operand<TFloat32> maskDenseTokens;
    /** Embedded mask prompt as the reference returns it, (B, 256, 64, 64). */
    final Operand<TFloat32> maskDense;
    /** The no-mask embedding, (1, 256). */
    final Operand<TFloat32> noMaskEmbed;
    /** Dense positional encoding in token order (4096, 256), computed once after the upload. */
    final Operand<TFloat32> densePeTokens;
    /** Dense positional encoding as get_dense_pe() returns it, (1, 256, 64, 64). */
    final Operand<TFloat32> densePe;

    private final Operand<TFloat32> gaussian;

    PromptEncoderGraph(Nn root, WeightStore w) {
        this(root, w, IMAGE_SIZE);
    }

    /**
     * @param inputSize side of the frame the coordinates are in: 1024 for SAM and MedSAM, 256 for LiteMedSAM
     *                  (its prompt encoder is built with input_image_size 256; everything else is the same)
     */
    PromptEncoderGraph(Nn root, WeightStore w, float inputSize) {
        this(Scopes.of(root, w), w, inputSize);
    }

    /**
     * The prompt encoder's name scopes. A graph that holds more than the prompt encoder makes them first, while it is
     * nearly empty: TF Java reads every op of the graph back for each new sub-scope (see SamGraph).
     */
    record Scopes(Nn promptEncoder, Nn sparse, Nn mask, Nn densePe) {
        static Scopes of(Nn root, WeightStore w) {
            Nn nn = root.scope("prompt_encoder");
            return new Scopes(nn, nn.scope("sparse"), nn.scope("mask"), w.nn().scope("dense_pe"));
        }
    }

    /** As {@link #PromptEncoderGraph(Nn, WeightStore, float)}, in scopes made beforehand. */
    PromptEncoderGraph(Scopes scopes, WeightStore w, float inputSize) {
        Nn nn = scopes.promptEncoder();
        gaussian = w.f32("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix", 2, DIM / 2);

        coords = nn.tf.withName("coords").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, 2)));
        codes = nn.tf.withName("codes").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        Operand<TFloat32> table = nn.concat(List.of(
                w.f32("prompt_encoder.not_a_point_embed.weight", 1, DIM),
                w.f32("prompt_encoder.point_embeddings.0.weight", 1, DIM),
                w.f32("prompt_encoder.point_embeddings.1.weight", 1, DIM),
                w.f32("prompt_encoder.point_embeddings.2.weight", 1, DIM),
                w.f32("prompt_encoder.point_embeddings.3.weight", 1, DIM)), 0);
        Nn sp = scopes.sparse();
        Operand<TFloat32> shifted = sp.tf.math.div(sp.add(coords, sp.scalar(0.5f)), sp.scalar(inputSize));
        Operand<TFloat32> pe = peEncoding(sp, shifted);
        Operand<TFloat32> keep = sp.tf.expandDims(sp.tf.dtypes.cast(sp.tf.math.notEqual(codes, sp.tf.constant(-1)),
                TFloat32.class), sp.tf.constant(-1));
        Operand<TInt32> rows = sp.tf.math.add(codes, sp.tf.constant(1));
        sparse = sp.tf.withName("sparse").math.add(sp.mul(pe, keep), sp.tf.gather(table, rows, sp.tf.constant(0)));

        Nn ms = scopes.mask();
        maskInput = ms.tf.withName("mask_input").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 256, 256)));
        String p = "prompt_encoder.mask_downscaling.";
        Operand<TFloat32> m = ms.tf.expandDims(maskInput, ms.tf.constant(-1)); // (B, 256, 256, 1)
        m = conv2x2(ms, m, w, p + "0", 1, 4);
        m = ms.gelu(ms.layerNorm(m, w.f32(p + "1.weight", 4), w.f32(p + "1.bias", 4), EPS));
        m = conv2x2(ms, m, w, p + "3", 4, 16);
        m = ms.gelu(ms.layerNorm(m, w.f32(p + "4.weight", 16), w.f32(p + "4.bias", 16), EPS));
        Operand<? extends TType> w6 = w.product(p + "6.weight", new int[] {DIM, 16, 1, 1}, new int[] {16, DIM},
                k -> w.nn().transpose(w.nn().reshape(k, DIM, 16), 1, 0), Precision.FP32);
        m = ms.linear(ms.reshape(m, -1, 16), w6, w.f32(p + "6.bias", DIM));
        maskDenseTokens = ms.reshape(m, -1, GRID * GRID, DIM);
        maskDense = ms.tf.withName("dense").linalg.transpose(ms.reshape(m, -1, GRID, GRID, DIM), ms.ints(0, 3, 1, 2));

        noMaskEmbed = w.f32("prompt_encoder.no_mask_embed.weight", 1, DIM);

        // get_dense_pe(): cell centres (j + 0.5) / 64 along x, (i + 0.5) / 64 along y.
        float[][][] grid = new float[GRID][GRID][2];
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID; j++) {
                grid[i][j][0] = (j + 0.5f) / GRID;
                grid[i][j][1] = (i + 0.5f) / GRID;
            }
        }
        Nn dp = scopes.densePe();
        Operand<TFloat32> dense = dp.reshape(peEncoding(dp, dp.tf.constant(grid)), GRID * GRID, DIM);
        densePeTokens = w.derived("dense_pe", new int[] {GRID * GRID, DIM}, dense);
        densePe = nn.tf.withName("dense_pe").linalg.transpose(nn.reshape(densePeTokens, 1, GRID, GRID, DIM),
                nn.ints(0, 3, 1, 2));
    }

    /** _pe_encoding: coordinates in [0, 1] (..., 2) -> [sin, cos] of 2 pi (2c - 1) G, (..., 256). */
    private Operand<TFloat32> peEncoding(Nn nn, Operand<TFloat32> unit) {
        Operand<TFloat32> c = nn.sub(nn.mul(unit, 2f), nn.scalar(1f));
        Operand<TFloat32> flat = nn.reshape(c, -1, 2);
        Operand<TFloat32> proj = nn.mul(nn.tf.linalg.matMul(flat, gaussian), TWO_PI);
        Operand<TFloat32> enc = nn.concat(List.of(nn.tf.math.sin(proj), nn.tf.math.cos(proj)), 1);
        // restore the leading dimensions of the input: shape(c)[:-1] + [256]
        Operand<TInt32> outShape = nn.tf.concat(List.of(
                nn.tf.slice(nn.tf.shape(c), nn.tf.constant(new int[] {0}), nn.tf.constant(new int[] {rankOf(c) - 1})),
                nn.tf.constant(new int[] {DIM})), nn.tf.constant(0));
        return nn.tf.reshape(enc, outShape);
    }

    private static int rankOf(Operand<?> x) {
        return x.shape().numDimensions();
    }

    /** A 2x2 stride-2 convolution (PyTorch weight (out, in, 2, 2)) on NHWC input. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Operand<TFloat32> conv2x2(Nn nn, Operand<TFloat32> x, WeightStore w, String key, int in, int out) {
        Operand<? extends TType> k = w.product(key + ".weight", new int[] {out, in, 2, 2}, new int[] {2, 2, in, out},
                t -> w.nn().transpose(t, 2, 3, 1, 0), Precision.FP32);
        Operand y = nn.tf.nn.conv2d(x, (Operand) k, List.of(1L, 2L, 2L, 1L), "VALID");
        return nn.tf.nn.biasAdd(y, w.f32(key + ".bias", out));
    }
}
