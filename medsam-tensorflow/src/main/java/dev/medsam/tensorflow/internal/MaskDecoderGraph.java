package dev.medsam.tensorflow.internal;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

import java.util.ArrayList;
import java.util.List;

/**
 * SAM's mask decoder (segment_anything/modeling/mask_decoder.py and transformer.py) as graph pieces, always in
 * float32.
 *
 * <p>The image side is split in two. {@link #prepare} holds everything that depends only on the image embedding
 * and the no-mask prompt: the source tokens and the first layer's projections of them (token-to-image keys and
 * values, image-to-token queries); a model computes it once per image and caches it. {@link #decode} runs the
 * rest for a batch of B prompts; an image side with batch 1 is broadcast against the B prompts.
 */
final class MaskDecoderGraph {

    static final int DIM = 256;
    static final int HEADS = 8;
    static final int TOKENS = 64 * 64;
    static final int MASK_TOKENS = 4;
    /** nn.LayerNorm default epsilon, used in the two-way transformer. */
    static final float EPS = 1e-5f;
    /** LayerNorm2d epsilon in the output upscaling. */
    static final float EPS_2D = 1e-6f;

    /** Per-image values the decoder needs, each with batch 1 (cached) or B (mask prompts). */
    record ImageSide(Operand<TFloat32> src, Operand<TFloat32> k0, Operand<TFloat32> v0, Operand<TFloat32> q0) {
    }

    /** Decoder outputs for one variant. */
    record Outputs(Operand<TFloat32> logitsSingle, Operand<TFloat32> iouSingle,
                   Operand<TFloat32> logitsMulti, Operand<TFloat32> iouMulti) {
    }

    private final WeightStore w;
    private final Operand<TFloat32> pe;
    private final Operand<TFloat32> outputTokens;
    private static final String P = "mask_decoder.";
    private static final String T = P + "transformer.";

    MaskDecoderGraph(WeightStore w, Operand<TFloat32> densePeTokens) {
        this.w = w;
        this.pe = densePeTokens;
        Nn nn = w.nn();
        this.outputTokens = nn.concat(List.of(w.f32(P + "iou_token.weight", 1, DIM),
                w.f32(P + "mask_tokens.weight", MASK_TOKENS, DIM)), 0);
    }

    /**
     * The image side from image-embedding tokens (Bi, 4096, 256) and dense prompt tokens (Bd, 4096, 256)
     * (either may have batch 1): the source tokens and the first layer's head-major projections of them.
     */
    ImageSide prepare(Nn nn, Operand<TFloat32> embeddingTokens, Operand<TFloat32> denseTokens) {
        Operand<TFloat32> src = nn.add(embeddingTokens, denseTokens);
        Operand<TFloat32> srcPe = nn.add(src, pe);
        String t2i = T + "layers.0.cross_attn_token_to_image.";
        String i2t = T + "layers.0.cross_attn_image_to_token.";
        int half = DIM / 2;
        int d = half / HEADS;
        Operand<TFloat32> k0 = heads(nn, linear3(nn, srcPe, t2i + "k_proj", DIM, half), d);
        Operand<TFloat32> v0 = heads(nn, linear3(nn, src, t2i + "v_proj", DIM, half), d);
        Operand<TFloat32> q0 = heads(nn, linear3(nn, srcPe, i2t + "q_proj", DIM, half), d);
        return new ImageSide(src, k0, v0, q0);
    }

    /**
     * Runs the decoder (MaskDecoder.predict_masks with TwoWayTransformer) for sparse prompt embeddings
     * (B, N, 256) against {@code image}.
     */
    Outputs decode(Nn nn, Operand<TFloat32> sparse, ImageSide image) {
        return decode(nn, sparse, image, false);
    }

    /**
     * {@link #decode} for exactly one prompt (batch 1): callers choose it only for a single prompt (the products
     * below flatten the batch into rows, so a larger batch would not be decoded per prompt). The products whose both
     * operands are per prompt, (8T x 256)
     * against the 4096 image tokens and the upscaled mask against the hypernetwork output, run as 2-D MatMuls: with
     * these thin shapes oneDNN's BatchMatMulV2 took 2 to 5 times as long as MatMul on the same values (on this
     * 2-core machine, 56 x 4096 by 4096 x 256: 1.7 against 0.5 ms), and they are most of a box's decoder time.
     */
    Outputs decodeOne(Nn nn, Operand<TFloat32> sparse, ImageSide image) {
        return decode(nn, sparse, image, true);
    }

    private Outputs decode(Nn nn, Operand<TFloat32> sparse, ImageSide image, boolean one) {
        // tokens = [iou_token, mask_tokens..., sparse prompts], broadcast over the batch
        // (B, 5, 256); B from the shape, as sparse may have no entries (mask-only prompts)
        Operand<org.tensorflow.types.TInt32> shape = nn.tf.concat(List.of(
                nn.tf.slice(nn.tf.shape(sparse), nn.ints(0), nn.ints(1)), nn.ints(1 + MASK_TOKENS, DIM)), nn.tf.constant(0));
        Operand<TFloat32> out = nn.tf.broadcastTo(nn.tf.expandDims(outputTokens, nn.tf.constant(0)), shape);
        Operand<TFloat32> tokens = nn.concat(List.of(out, sparse), 1);

        Operand<TFloat32> queries = tokens;
        Operand<TFloat32> keys = image.src();
        for (int layer = 0; layer < 2; layer++) {
            String p = T + "layers." + layer + ".";
            // the image tokens with positional encoding, shared by both cross attentions of this layer
            Operand<TFloat32> keysPe = layer == 0 ? null : nn.add(keys, pe);
            // self attention; the first layer adds no positional encoding and has no residual
            if (layer == 0) {
                queries = selfAttention(nn, p + "self_attn.", queries, queries);
            } else {
                queries = nn.add(queries, selfAttention(nn, p + "self_attn.", nn.add(queries, tokens), queries));
            }
            queries = norm(nn, queries, p + "norm1");
            // tokens attend to the image
            Operand<TFloat32> q = nn.add(queries, tokens);
            Operand<TFloat32> attn = layer == 0
                    ? tokenToImageProjected(nn, p + "cross_attn_token_to_image.", q, image.k0(), image.v0())
                    : tokenToImage(nn, p + "cross_attn_token_to_image.", q, keysPe, keys, one);
            queries = norm(nn, nn.add(queries, attn), p + "norm2");
            // MLP with ReLU
            Operand<TFloat32> mlp = nn.relu(linear3(nn, queries, p + "mlp.lin1", DIM, 2048));
            mlp = linear3(nn, mlp, p + "mlp.lin2", 2048, DIM);
            queries = norm(nn, nn.add(queries, mlp), p + "norm3");
            // the image attends to the tokens
            q = nn.add(queries, tokens);
            attn = imageToToken(nn, p + "cross_attn_image_to_token.", layer == 0 ? image.q0() : keysPe,
                    layer == 0, q, queries, one);
            keys = norm(nn, nn.add(keys, attn), p + "norm4");
        }
        Operand<TFloat32> q = nn.add(queries, tokens);
        Operand<TFloat32> attn = tokenToImage(nn, T + "final_attn_token_to_image.", q, nn.add(keys, pe), keys, one);
        queries = norm(nn, nn.add(queries, attn), T + "norm_final_attn");

        // heads
        Operand<TFloat32> upscaled = upscale(nn, keys); // (B, 65536, 32), sub-pixel order
        Operand<TFloat32> iouToken = nn.reshape(nn.slice(queries, new int[] {0, 0, 0}, new int[] {-1, 1, DIM}), -1, DIM);
        Operand<TFloat32> iou = mlp(nn, iouToken, P + "iou_prediction_head.", DIM, 4); // (B, 4)
        List<Operand<TFloat32>> hyper = new ArrayList<>();
        for (int i = 0; i < MASK_TOKENS; i++) {
            Operand<TFloat32> tok = nn.reshape(nn.slice(queries, new int[] {0, 1 + i, 0}, new int[] {-1, 1, DIM}), -1, DIM);
            hyper.add(nn.reshape(mlp(nn, tok, P + "output_hypernetworks_mlps." + i + ".", DIM, 32), -1, 1, 32));
        }
        Operand<TFloat32> single = masks(nn, upscaled, hyper.get(0), 1, one);
        Operand<TFloat32> multi = masks(nn, upscaled, nn.concat(hyper.subList(1, 4), 1), 3, one);
        Operand<TFloat32> iouSingle = nn.slice(iou, new int[] {0, 0}, new int[] {-1, 1});
        Operand<TFloat32> iouMulti = nn.slice(iou, new int[] {0, 1}, new int[] {-1, 3});
        return new Outputs(single, iouSingle, multi, iouMulti);
    }

    /** Self attention among the tokens (internal width 256, head dim 32): small, computed as the reference does. */
    private Operand<TFloat32> selfAttention(Nn nn, String p, Operand<TFloat32> qk, Operand<TFloat32> v) {
        int d = DIM / HEADS;
        Operand<TFloat32> qh = heads(nn, linear3(nn, qk, p + "q_proj", DIM, DIM), d);
        Operand<TFloat32> kh = heads(nn, linear3(nn, qk, p + "k_proj", DIM, DIM), d);
        Operand<TFloat32> vh = heads(nn, linear3(nn, v, p + "v_proj", DIM, DIM), d);
        Operand<TFloat32> probs = nn.softmax(scaled(nn, nn.bmm(qh, kh, false, true), d));
        return linear3(nn, mergeHeads(nn, nn.bmm(probs, vh, false, false), DIM), p + "out_proj", DIM, DIM);
    }

    /**
     * Token-to-image attention with the image projections given head-major (1, 8, 4096, 16) (the cached first
     * layer).
     */
    private Operand<TFloat32> tokenToImageProjected(Nn nn, String p, Operand<TFloat32> qIn, Operand<TFloat32> kh,
                                                    Operand<TFloat32> vh) {
        int inner = DIM / 2;
        int d = inner / HEADS;
        Operand<TFloat32> qh = heads(nn, linear3(nn, qIn, p + "q_proj", DIM, inner), d);
        Operand<TFloat32> probs = nn.softmax(scaled(nn, nn.bmm(qh, kh, false, true), d)); // (B, 8, T, 4096)
        return linear3(nn, mergeHeads(nn, nn.bmm(probs, vh, false, false), inner), p + "out_proj", inner, DIM);
    }

    /**
     * Token-to-image attention for per-prompt image tokens, re-associated so that the 4096 image tokens are never
     * projected: with the key projection folded into the queries, {@code q_h . (Wk_h x + bk_h) = (Wk_h^T q_h) . x
     * + q_h . bk_h}, where the last term is the same for every image token and leaves the softmax unchanged; and
     * since the attention weights sum to one, {@code sum_i p_i (Wv_h x_i + bv_h) = Wv_h (sum_i p_i x_i) + bv_h}.
     * Per prompt this costs 2 x 8T x 4096 x 256 multiply-adds instead of 2 x 4096 x 256 x 128 for the two image
     * projections (T tokens, 7 for a box).
     *
     * @param qIn queries with positional encoding (B, T, 256)
     * @param xk  image tokens with positional encoding (B, 4096, 256)
     * @param xv  image tokens (B, 4096, 256)
     */
    private Operand<TFloat32> tokenToImage(Nn nn, String p, Operand<TFloat32> qIn, Operand<TFloat32> xk,
                                           Operand<TFloat32> xv, boolean one) {
        int inner = DIM / 2;
        int d = inner / HEADS;
        Operand<TFloat32> qh = heads(nn, linear3(nn, qIn, p + "q_proj", DIM, inner), d); // (B, 8, T, 16)
        Operand<TFloat32> wk = w.f32(p + "k_proj.weight", "per-head", new int[] {inner, DIM}, new int[] {HEADS, d, DIM},
                t -> w.nn().reshape(t, HEADS, d, DIM));
        Operand<TFloat32> qx = nn.reshapeLike(nn.bmm(qh, wk, false, false), qh, 1, -1, DIM); // (B, 8T, 256)
        Operand<TFloat32> probs = nn.softmax(scaled(nn, product(nn, one, qx, DIM, xk, DIM, false, true, TOKENS),
                d)); // (B, 8T, 4096)
        Operand<TFloat32> px = nn.reshapeLike(product(nn, one, probs, TOKENS, xv, DIM, false, false, DIM), qh, 3,
                DIM); // (B, 8, T, 256)
        Operand<TFloat32> wv = w.f32(p + "v_proj.weight", "per-head-transposed", new int[] {inner, DIM}, new int[] {HEADS, DIM, d},
                t -> w.nn().transpose(w.nn().reshape(t, HEADS, d, DIM), 0, 2, 1));
        Operand<TFloat32> bv = w.f32(p + "v_proj.bias", "per-head", new int[] {inner}, new int[] {HEADS, 1, d},
                t -> w.nn().reshape(t, HEADS, 1, d));
        Operand<TFloat32> o = nn.add(nn.bmm(px, wv, false, false), bv); // (B, 8, T, 16)
        return linear3(nn, mergeHeads(nn, o, inner), p + "out_proj", inner, DIM);
    }

    /**
     * Image-to-token attention, re-associated so that the image tokens are neither projected to queries nor
     * through out_proj: {@code (Wq_h x + bq_h) . k_h = x . (Wq_h^T k_h) + bq_h . k_h} and
     * {@code out_proj(concat_h o_h) = sum_h p_h (v_h Wo_h) + bo}. Per prompt 2 x 4096 x 256 x 8T multiply-adds
     * instead of 2 x 4096 x 256 x 128.
     *
     * @param image       image tokens with positional encoding (B, 4096, 256); or, when {@code projected}, their
     *                    query projection head-major (1, 8, 4096, 16) (the cached first layer)
     * @param kIn         token keys with positional encoding (B, T, 256)
     * @param vIn         token values (B, T, 256)
     * @return the attention output for every image token, (B, 4096, 256)
     */
    private Operand<TFloat32> imageToToken(Nn nn, String p, Operand<TFloat32> image, boolean projected,
                                           Operand<TFloat32> kIn, Operand<TFloat32> vIn, boolean one) {
        int inner = DIM / 2;
        int d = inner / HEADS;
        Operand<TFloat32> kh = heads(nn, linear3(nn, kIn, p + "k_proj", DIM, inner), d); // (B, 8, T, 16)
        Operand<TFloat32> vh = heads(nn, linear3(nn, vIn, p + "v_proj", DIM, inner), d);
        // Logits laid out (B, 8, T, 4096): the softmax runs over the T tokens with the 4096 image tokens contiguous,
        // much faster than a softmax over a last axis of 7.
        Operand<TFloat32> logits;
        if (projected) {
            logits = nn.bmm(kh, image, false, true);
        } else {
            Operand<TFloat32> wq = w.f32(p + "q_proj.weight", "per-head", new int[] {inner, DIM}, new int[] {HEADS, d, DIM},
                    t -> w.nn().reshape(t, HEADS, d, DIM));
            Operand<TFloat32> bq = w.f32(p + "q_proj.bias", "per-head-column", new int[] {inner}, new int[] {HEADS, d, 1},
                    t -> w.nn().reshape(t, HEADS, d, 1));
            Operand<TFloat32> kx = nn.reshapeLike(nn.bmm(kh, wq, false, false), kh, 1, -1, DIM); // (B, 8T, 256)
            Operand<TFloat32> c = nn.reshapeLike(nn.bmm(kh, bq, false, false), kh, 1, -1, 1); // (B, 8T, 1)
            logits = nn.reshapeLike(nn.add(product(nn, one, kx, DIM, image, DIM, false, true, TOKENS), c), kh, 3,
                    SamGraph.TOKENS);
        }
        Operand<TFloat32> probs = softmaxOverAxis2(nn, scaled(nn, logits, d));
        probs = nn.reshapeLike(probs, kh, 1, -1, SamGraph.TOKENS); // (B, 8T, 4096)
        Operand<TFloat32> wo = w.f32(p + "out_proj.weight", "per-head-transposed", new int[] {DIM, inner}, new int[] {HEADS, d, DIM},
                t -> w.nn().reshape(w.nn().transpose(t, 1, 0), HEADS, d, DIM));
        // Each head's weights sum to one, so the 8 heads' rows of probs sum to 8: adding bias/8 to every row of
        // vo adds the out_proj bias to every image token without a pass over the (B, 4096, 256) result.
        Operand<TFloat32> biasPerHead = w.f32(p + "out_proj.bias", "divided-by-heads", new int[] {DIM}, new int[] {DIM},
                t -> w.nn().mul(t, 1f / HEADS));
        Operand<TFloat32> vo = nn.add(nn.reshapeLike(nn.bmm(vh, wo, false, false), vh, 1, -1, DIM), biasPerHead); // (B, 8T, 256)
        return product(nn, one, probs, TOKENS, vo, DIM, true, false, DIM);
    }

    /**
     * {@code a . b} per batch entry (either transposed), (B, rows, cols) operands: a BatchMatMulV2, or for
     * {@code one} prompt a 2-D MatMul on the operands flattened to ({@code -1}, cols) and the result shaped
     * (1, -1, {@code outCols}) (see {@link #decodeOne}).
     */
    private static Operand<TFloat32> product(Nn nn, boolean one, Operand<TFloat32> a, int aCols, Operand<TFloat32> b,
                                             int bCols, boolean adjA, boolean adjB, int outCols) {
        if (!one) {
            return nn.bmm(a, b, adjA, adjB);
        }
        Operand<TFloat32> r = nn.tf.linalg.matMul(nn.reshape(a, -1, aCols), nn.reshape(b, -1, bCols),
                org.tensorflow.op.linalg.MatMul.transposeA(adjA), org.tensorflow.op.linalg.MatMul.transposeB(adjB));
        return nn.reshape(r, 1, -1, outCols);
    }

    /** softmax over axis 2 of a rank-4 tensor: exp(x - max) / sum, as the reference's softmax. */
    private static Operand<TFloat32> softmaxOverAxis2(Nn nn, Operand<TFloat32> x) {
        Operand<org.tensorflow.types.TInt32> axis = nn.ints(2);
        Operand<TFloat32> e = nn.tf.math.exp(nn.sub(x, nn.tf.max(x, axis, org.tensorflow.op.core.Max.keepDims(true))));
        return nn.tf.math.div(e, nn.tf.sum(e, axis, org.tensorflow.op.core.Sum.keepDims(true)));
    }

    /** logits / sqrt(d), as the reference divides after q . k. */
    private static Operand<TFloat32> scaled(Nn nn, Operand<TFloat32> logits, int d) {
        return nn.tf.math.div(logits, nn.scalar((float) Math.sqrt(d)));
    }

    /** (B, H, N, d) -> (B, N, H * d) */
    private static Operand<TFloat32> mergeHeads(Nn nn, Operand<TFloat32> x, int inner) {
        Operand<TFloat32> t = nn.transpose(x, 0, 2, 1, 3);
        return nn.reshapeLike(t, t, 2, inner);
    }

    /** (B, N, inner) -> (B, HEADS, N, d) */
    private static Operand<TFloat32> heads(Nn nn, Operand<TFloat32> x, int d) {
        return nn.transpose(nn.reshapeLike(x, x, 2, HEADS, d), 0, 2, 1, 3);
    }

    private Operand<TFloat32> norm(Nn nn, Operand<TFloat32> x, String key) {
        return nn.layerNorm(x, w.f32(key + ".weight", DIM), w.f32(key + ".bias", DIM), EPS);
    }

    /** A Linear layer on (B, N, in) -> (B, N, out). */
    private Operand<TFloat32> linear3(Nn nn, Operand<TFloat32> x, String key, int in, int out) {
        Operand<TFloat32> y = nn.linear(nn.reshape(x, -1, in), w.linearWeight(key + ".weight", out, in, Precision.FP32),
                w.f32(key + ".bias", out));
        return nn.reshapeLike(y, x, 2, out);
    }

    /** The decoder's MLP: three Linear layers with ReLU between, (B, 256) -> (B, out). */
    private Operand<TFloat32> mlp(Nn nn, Operand<TFloat32> x, String p, int hidden, int out) {
        Operand<TFloat32> y = nn.relu(nn.linear(x, w.linearWeight(p + "layers.0.weight", hidden, DIM, Precision.FP32),
                w.f32(p + "layers.0.bias", hidden)));
        y = nn.relu(nn.linear(y, w.linearWeight(p + "layers.1.weight", hidden, hidden, Precision.FP32),
                w.f32(p + "layers.1.bias", hidden)));
        return nn.linear(y, w.linearWeight(p + "layers.2.weight", out, hidden, Precision.FP32),
                w.f32(p + "layers.2.bias", out));
    }

    /**
     * output_upscaling on the (B, 4096, 256) image tokens: ConvTranspose 2x2/2 (256 -> 64), LayerNorm2d, GELU,
     * ConvTranspose 2x2/2 (64 -> 32), GELU. With kernel = stride = 2 a transposed convolution is a per-pixel
     * product whose outputs fill a 2x2 block, so the result stays in sub-pixel order: (B, i, j, a, b, a2, b2, 32)
     * flattened to (B, 65536, 32) for output row 4i + 2a + a2 and column 4j + 2b + b2.
     */
    private Operand<TFloat32> upscale(Nn nn, Operand<TFloat32> src) {
        String p = P + "output_upscaling.";
        Operand<? extends TType> w0 = w.product(p + "0.weight", new int[] {DIM, 64, 2, 2}, new int[] {DIM, 4 * 64},
                k -> w.nn().reshape(w.nn().transpose(k, 0, 2, 3, 1), DIM, 4 * 64), Precision.FP32);
        Operand<TFloat32> b0 = w.f32(p + "0.bias", "tiled-2x2", new int[] {64}, new int[] {4 * 64},
                b -> w.nn().tf.tile(b, w.nn().ints(4)));
        Operand<TFloat32> x = nn.linear(nn.reshape(src, -1, DIM), w0, b0); // (B*4096, [a, b, 64])
        x = nn.reshape(x, -1, 64);
        x = nn.gelu(nn.layerNorm(x, w.f32(p + "1.weight", 64), w.f32(p + "1.bias", 64), EPS_2D));
        Operand<? extends TType> w3 = w.product(p + "3.weight", new int[] {64, 32, 2, 2}, new int[] {64, 4 * 32},
                k -> w.nn().reshape(w.nn().transpose(k, 0, 2, 3, 1), 64, 4 * 32), Precision.FP32);
        Operand<TFloat32> b3 = w.f32(p + "3.bias", "tiled-2x2", new int[] {32}, new int[] {4 * 32},
                b -> w.nn().tf.tile(b, w.nn().ints(4)));
        x = nn.gelu(nn.linear(x, w3, b3)); // (B*4096*4, [a2, b2, 32])
        return nn.reshape(x, -1, TOKENS * 16, 32);
    }

    /**
     * hyper (B, M, 32) . upscaled (B, 65536, 32) -> (B, M, 256, 256) in raster order. The sub-pixel order
     * (B, i, j, a, b, a2, b2, M) is two DepthToSpace steps of block 2: (B, 64, 64, [a, b, a2, b2, M]) to
     * (B, 128, 128, [a2, b2, M]) at row 2i + a, to (B, 256, 256, M) at row 4i + 2a + a2. An 8-D transpose did the
     * same about ten times slower (a large part of a box's decoder time).
     */
    private static Operand<TFloat32> masks(Nn nn, Operand<TFloat32> upscaled, Operand<TFloat32> hyper, int m,
                                           boolean one) {
        Operand<TFloat32> x = product(nn, one, upscaled, 32, hyper, 32, false, true, m); // (B, 65536, M)
        x = nn.reshape(x, -1, 64, 64, 16 * m);
        x = nn.tf.nn.depthToSpace(nn.tf.nn.depthToSpace(x, 2L), 2L); // (B, 256, 256, M)
        return m == 1 ? nn.reshape(x, -1, 1, 256, 256) : nn.transpose(x, 0, 3, 1, 2);
    }
}
