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
     * (either may have batch 1).
     */
    ImageSide prepare(Nn nn, Operand<TFloat32> embeddingTokens, Operand<TFloat32> denseTokens) {
        Operand<TFloat32> src = nn.add(embeddingTokens, denseTokens);
        Operand<TFloat32> srcPe = nn.add(src, pe);
        String t2i = T + "layers.0.cross_attn_token_to_image.";
        String i2t = T + "layers.0.cross_attn_image_to_token.";
        int half = DIM / 2;
        Operand<TFloat32> k0 = linear3(nn, srcPe, t2i + "k_proj", DIM, half);
        Operand<TFloat32> v0 = linear3(nn, src, t2i + "v_proj", DIM, half);
        Operand<TFloat32> q0 = linear3(nn, srcPe, i2t + "q_proj", DIM, half);
        return new ImageSide(src, k0, v0, q0);
    }

    /** Runs the decoder for sparse prompt embeddings (B, N, 256) against {@code image}. */
    Outputs decode(Nn nn, Operand<TFloat32> sparse, ImageSide image) {
        // tokens = [iou_token, mask_tokens..., sparse prompts], broadcast over the batch
        Operand<TFloat32> batchOnes = nn.tf.onesLike(nn.slice(sparse, new int[] {0, 0, 0}, new int[] {-1, 1, 1}));
        Operand<TFloat32> out = nn.mul(nn.tf.expandDims(outputTokens, nn.tf.constant(0)), batchOnes); // (B, 5, 256)
        Operand<TFloat32> tokens = nn.concat(List.of(out, sparse), 1);

        Operand<TFloat32> queries = tokens;
        Operand<TFloat32> keys = image.src();
        for (int layer = 0; layer < 2; layer++) {
            Nn l = nn.sub("layer" + layer);
            String p = T + "layers." + layer + ".";
            // self attention; the first layer adds no positional encoding and has no residual
            if (layer == 0) {
                queries = attention(l.sub("self"), p + "self_attn.", DIM, queries, queries, queries, null, null, null);
            } else {
                Operand<TFloat32> q = l.add(queries, tokens);
                queries = l.add(queries, attention(l.sub("self"), p + "self_attn.", DIM, q, q, queries, null, null, null));
            }
            queries = norm(l, queries, p + "norm1");
            // tokens attend to the image
            Operand<TFloat32> q = l.add(queries, tokens);
            Operand<TFloat32> kProj = layer == 0 ? image.k0() : null;
            Operand<TFloat32> vProj = layer == 0 ? image.v0() : null;
            Operand<TFloat32> kIn = layer == 0 ? null : l.add(keys, pe);
            Operand<TFloat32> attn = attention(l.sub("t2i"), p + "cross_attn_token_to_image.", DIM / 2, q, kIn, keys,
                    null, kProj, vProj);
            queries = norm(l, l.add(queries, attn), p + "norm2");
            // MLP with ReLU
            Operand<TFloat32> mlp = relu(l, linear3(l, queries, p + "mlp.lin1", DIM, 2048));
            mlp = linear3(l, mlp, p + "mlp.lin2", 2048, DIM);
            queries = norm(l, l.add(queries, mlp), p + "norm3");
            // the image attends to the tokens
            q = l.add(queries, tokens);
            Operand<TFloat32> kk = layer == 0 ? null : l.add(keys, pe);
            Operand<TFloat32> qProj = layer == 0 ? image.q0() : null;
            attn = attention(l.sub("i2t"), p + "cross_attn_image_to_token.", DIM / 2, kk, q, queries, qProj, null, null);
            keys = norm(l, l.add(keys, attn), p + "norm4");
        }
        Nn f = nn.sub("final");
        Operand<TFloat32> q = f.add(queries, tokens);
        Operand<TFloat32> attn = attention(f.sub("t2i"), T + "final_attn_token_to_image.", DIM / 2, q,
                f.add(keys, pe), keys, null, null, null);
        queries = norm(f, f.add(queries, attn), T + "norm_final_attn");

        // heads
        Nn h = nn.sub("heads");
        Operand<TFloat32> upscaled = upscale(h.sub("upscale"), keys); // (B, 65536, 32), sub-pixel order
        Operand<TFloat32> iouToken = h.reshape(h.slice(queries, new int[] {0, 0, 0}, new int[] {-1, 1, DIM}), -1, DIM);
        Operand<TFloat32> iou = mlp(h.sub("iou"), iouToken, P + "iou_prediction_head.", DIM, 4); // (B, 4)
        List<Operand<TFloat32>> hyper = new ArrayList<>();
        for (int i = 0; i < MASK_TOKENS; i++) {
            Operand<TFloat32> tok = h.reshape(h.slice(queries, new int[] {0, 1 + i, 0}, new int[] {-1, 1, DIM}), -1, DIM);
            hyper.add(h.reshape(mlp(h.sub("hyper" + i), tok, P + "output_hypernetworks_mlps." + i + ".", DIM, 32),
                    -1, 1, 32));
        }
        Operand<TFloat32> single = masks(h.sub("single"), upscaled, hyper.get(0), 1);
        Operand<TFloat32> multi = masks(h.sub("multi"), upscaled, h.concat(hyper.subList(1, 4), 1), 3);
        Operand<TFloat32> iouSingle = h.slice(iou, new int[] {0, 0}, new int[] {-1, 1});
        Operand<TFloat32> iouMulti = h.slice(iou, new int[] {0, 1}, new int[] {-1, 3});
        return new Outputs(single, iouSingle, multi, iouMulti);
    }

    /**
     * SAM's decoder Attention: projections (internal width {@code inner}), 8 heads, softmax(q k^T / sqrt(d)) v,
     * out projection. Any of the projections may be given precomputed ({@code qProj}, {@code kProj},
     * {@code vProj}); then the matching input is ignored. Inputs are (B, N, 256) with broadcastable batches.
     */
    private Operand<TFloat32> attention(Nn nn, String p, int inner, Operand<TFloat32> qIn, Operand<TFloat32> kIn,
                                        Operand<TFloat32> vIn, Operand<TFloat32> qProj, Operand<TFloat32> kProj,
                                        Operand<TFloat32> vProj) {
        int d = inner / HEADS;
        Operand<TFloat32> q = qProj != null ? qProj : linear3(nn, qIn, p + "q_proj", DIM, inner);
        Operand<TFloat32> k = kProj != null ? kProj : linear3(nn, kIn, p + "k_proj", DIM, inner);
        Operand<TFloat32> v = vProj != null ? vProj : linear3(nn, vIn, p + "v_proj", DIM, inner);
        Operand<TFloat32> qh = heads(nn, q, d);
        Operand<TFloat32> kh = heads(nn, k, d);
        Operand<TFloat32> vh = heads(nn, v, d);
        Operand<TFloat32> logits = nn.tf.math.div(nn.bmm(qh, kh, false, true), nn.scalar((float) Math.sqrt(d)));
        Operand<TFloat32> o = nn.bmm(nn.softmax(logits), vh, false, false); // (B, H, Nq, d)
        o = nn.transpose(o, 0, 2, 1, 3); // (B, Nq, H, d)
        o = nn.reshapeLike(o, o, 2, inner);
        return linear3(nn, o, p + "out_proj", inner, DIM);
    }

    /** (B, N, inner) -> (B, HEADS, N, d) */
    private static Operand<TFloat32> heads(Nn nn, Operand<TFloat32> x, int d) {
        return nn.transpose(nn.reshapeLike(x, x, 2, HEADS, d), 0, 2, 1, 3);
    }

    private Operand<TFloat32> norm(Nn nn, Operand<TFloat32> x, String key) {
        return nn.layerNorm(x, w.f32(key + ".weight", DIM), w.f32(key + ".bias", DIM), EPS);
    }

    private static Operand<TFloat32> relu(Nn nn, Operand<TFloat32> x) {
        return nn.relu(x);
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
        Operand<TFloat32> b0 = w.f32(p + "0.bias", new int[] {64}, new int[] {4 * 64},
                b -> w.nn().tf.tile(b, w.nn().ints(4)));
        Operand<TFloat32> x = nn.linear(nn.reshape(src, -1, DIM), w0, b0); // (B*4096, [a, b, 64])
        x = nn.reshape(x, -1, 64);
        x = nn.gelu(nn.layerNorm(x, w.f32(p + "1.weight", 64), w.f32(p + "1.bias", 64), EPS_2D));
        Operand<? extends TType> w3 = w.product(p + "3.weight", new int[] {64, 32, 2, 2}, new int[] {64, 4 * 32},
                k -> w.nn().reshape(w.nn().transpose(k, 0, 2, 3, 1), 64, 4 * 32), Precision.FP32);
        Operand<TFloat32> b3 = w.f32(p + "3.bias", new int[] {32}, new int[] {4 * 32},
                b -> w.nn().tf.tile(b, w.nn().ints(4)));
        x = nn.gelu(nn.linear(x, w3, b3)); // (B*4096*4, [a2, b2, 32])
        return nn.reshape(x, -1, TOKENS * 16, 32);
    }

    /** hyper (B, M, 32) . upscaled (B, 65536, 32) -> (B, M, 256, 256) in raster order. */
    private static Operand<TFloat32> masks(Nn nn, Operand<TFloat32> upscaled, Operand<TFloat32> hyper, int m) {
        Operand<TFloat32> x = nn.bmm(upscaled, hyper, false, true); // (B, 65536, M)
        // (B, i, j, a, b, a2, b2, M) -> (B, M, i, a, a2, j, b, b2)
        x = nn.transpose(nn.reshape(x, -1, 64, 64, 2, 2, 2, 2, m), 0, 7, 1, 3, 5, 2, 4, 6);
        return nn.reshape(x, -1, m, 256, 256);
    }
}
