package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.SamArchitecture;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

import java.util.ArrayList;
import java.util.List;

/**
 * SAM's ViT image encoder (segment_anything/modeling/image_encoder.py) as a graph.
 *
 * <p>Layout: the 64x64 token grid is kept as a (4096, C) matrix, row {@code y * 64 + x}, so that every Linear
 * layer is one plain matrix product. Windowed blocks pad the normalised tokens from 64x64 to 70x70 with zeros
 * (after norm1, as the reference does), attend inside the 25 windows of 14x14 (padded tokens take part in the
 * softmax, unmasked) and crop afterwards. Global blocks attend over all 4096 tokens in chunks of query rows,
 * one after the other, so that at most one chunk's attention matrix is alive.
 */
final class ImageEncoderGraph {

    /** Encoder LayerNorm epsilon (SAM builds the ViT with partial(LayerNorm, eps=1e-6)). */
    static final float EPS = 1e-6f;
    /**
     * Query rows (of 64 tokens each) per global-attention chunk: ViT-B's attention matrix for 16 rows is 201 MB
     * instead of 805 MB for all 64. 4, 8, 16 and 32 rows timed within noise of each other in the full encoder.
     */
    static final int GLOBAL_ROWS_PER_CHUNK = 16;

    final Placeholder<TFloat32> image;
    /** Patch embedding output before pos_embed, (1, 64, 64, C). */
    final Operand<TFloat32> patchEmbed;
    /** Output of each block, (1, 64, 64, C). */
    final List<Operand<TFloat32>> blocks = new ArrayList<>();
    /** Neck output in NHWC token order, (4096, 256). */
    final Operand<TFloat32> embeddingTokens;
    /** The image embedding as the reference returns it, (1, 256, 64, 64). */
    final Operand<TFloat32> embedding;

    private final SamArchitecture arch;
    private final int grid;
    private final int dim;
    private final int heads;
    private final int headDim;

    ImageEncoderGraph(Nn root, WeightStore w, SamArchitecture arch) {
        this.arch = arch;
        this.grid = arch.gridSize();
        this.dim = arch.embedDim();
        this.heads = arch.heads();
        this.headDim = arch.headDim();
        Nn nn = root.scope("image_encoder");
        int size = SamArchitecture.IMAGE_SIZE;
        int patch = SamArchitecture.PATCH_SIZE;
        int tokens = grid * grid;

        image = nn.tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 3, size, size)));
        // Sub-scopes up front: TF Java reads every op of the graph back for each new one (see SamGraph).
        Nn pe = nn.scope("patch_embed");
        List<Nn> blockScopes = new ArrayList<>();
        for (int i = 0; i < arch.depth(); i++) {
            blockScopes.add(nn.scope("block" + i));
        }
        Nn neck = nn.scope("neck");

        // Patch embedding: a 16x16 stride-16 convolution is a product of the (4096, 3*16*16) patch matrix with the
        // (3*16*16, C) reshaped kernel; the patch elements are ordered (channel, ky, kx) like the PyTorch kernel.
        Operand<TFloat32> patches = pe.reshape(pe.transpose(pe.reshape(image, 3, grid, patch, grid, patch), 1, 3, 0, 2, 4),
                tokens, 3 * patch * patch);
        Operand<? extends TType> peW = w.product("image_encoder.patch_embed.proj.weight",
                new int[] {dim, 3, patch, patch}, new int[] {3 * patch * patch, dim},
                k -> w.nn().transpose(w.nn().reshape(k, dim, 3 * patch * patch), 1, 0), nn.precision);
        Operand<TFloat32> x = pe.linear(patches, peW, w.f32("image_encoder.patch_embed.proj.bias", dim));
        patchEmbed = pe.reshape(x, 1, grid, grid, dim);
        x = nn.add(x, w.f32("image_encoder.pos_embed", "tokens", new int[] {1, grid, grid, dim}, new int[] {tokens, dim},
                p -> w.nn().reshape(p, tokens, dim)));

        for (int i = 0; i < arch.depth(); i++) {
            Nn b = blockScopes.get(i);
            x = block(b, w, "image_encoder.blocks." + i + ".", x, arch.isGlobal(i));
            blocks.add(b.reshape(x, 1, grid, grid, dim));
        }

        int out = SamArchitecture.OUT_CHANNELS;
        Operand<TFloat32> y = neck.matmul(x, w.product("image_encoder.neck.0.weight", new int[] {out, dim, 1, 1},
                new int[] {dim, out}, k -> w.nn().transpose(w.nn().reshape(k, out, dim), 1, 0), nn.precision));
        y = neck.layerNorm(y, w.f32("image_encoder.neck.1.weight", out), w.f32("image_encoder.neck.1.bias", out), EPS);
        Operand<? extends TType> conv = w.product("image_encoder.neck.2.weight", new int[] {out, out, 3, 3},
                new int[] {3, 3, out, out}, k -> w.nn().transpose(k, 2, 3, 1, 0), nn.precision);
        y = conv3x3(neck, neck.reshape(y, 1, grid, grid, out), conv);
        y = neck.reshape(y, tokens, out);
        y = neck.layerNorm(y, w.f32("image_encoder.neck.3.weight", out), w.f32("image_encoder.neck.3.bias", out), EPS);
        embeddingTokens = y;
        embedding = nn.tf.withName("embedding").linalg.transpose(nn.reshape(y, 1, grid, grid, out),
                nn.ints(0, 3, 1, 2));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Operand<TFloat32> conv3x3(Nn nn, Operand<TFloat32> x, Operand<? extends TType> kernel) {
        java.util.List<Long> strides = java.util.List.of(1L, 1L, 1L, 1L);
        Operand in = nn.toProductType(x);
        Operand r = nn.tf.nn.conv2d(in, (Operand) kernel, strides, "SAME");
        return nn.precision == Precision.BF16 ? nn.tf.dtypes.cast(r, TFloat32.class) : r;
    }

    /** One transformer block on the (4096, C) token matrix. */
    private Operand<TFloat32> block(Nn nn, WeightStore w, String p, Operand<TFloat32> x, boolean global) {
        int s = global ? grid : arch.windowSize();
        Operand<TFloat32> h = nn.layerNorm(x, w.f32(p + "norm1.weight", dim), w.f32(p + "norm1.bias", dim), EPS);
        Operand<? extends TType> qkvW = w.linearWeight(p + "attn.qkv.weight", 3 * dim, dim, nn.precision);
        Operand<TFloat32> qkvB = w.f32(p + "attn.qkv.bias", 3 * dim);
        Operand<TFloat32> relH = relPosTable(w, p + "attn.rel_pos_h", s);
        Operand<TFloat32> relW = relPosTable(w, p + "attn.rel_pos_w", s);
        Operand<TFloat32> attn = global
                ? globalAttention(nn, h, qkvW, qkvB, relH, relW)
                : windowAttention(nn, h, qkvW, qkvB, relH, relW, s);
        attn = nn.linear(attn, w.linearWeight(p + "attn.proj.weight", dim, dim, nn.precision), w.f32(p + "attn.proj.bias", dim));
        x = nn.add(x, attn);
        Operand<TFloat32> m = nn.layerNorm(x, w.f32(p + "norm2.weight", dim), w.f32(p + "norm2.bias", dim), EPS);
        int hidden = arch.mlpDim();
        m = nn.gelu(nn.linear(m, w.linearWeight(p + "mlp.lin1.weight", hidden, dim, nn.precision), w.f32(p + "mlp.lin1.bias", hidden)));
        m = nn.linear(m, w.linearWeight(p + "mlp.lin2.weight", dim, hidden, nn.precision), w.f32(p + "mlp.lin2.bias", dim));
        return nn.add(x, m);
    }

    /**
     * The relative-position table gathered for an s x s attention (get_rel_pos) and transposed for a batched
     * product: entry (i, :, j) is row {@code i - j + s - 1}, stored as (s, headDim, s) at upload time.
     */
    private Operand<TFloat32> relPosTable(WeightStore w, String key, int s) {
        int rows = 2 * s - 1;
        int[][] index = new int[s][s];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                index[i][j] = i - j + s - 1;
            }
        }
        Nn u = w.nn();
        return w.f32(key, "gathered-transposed", new int[] {rows, headDim}, new int[] {s, headDim, s},
                t -> u.transpose(u.tf.gather(t, u.tf.constant(index), u.tf.constant(0)), 0, 2, 1));
    }

    /** One-hot rows (tokens = s*s, s): row y*s + x has a 1 in column x. */
    private static float[][] columnOneHot(int s) {
        float[][] m = new float[s * s][s];
        for (int t = 0; t < s * s; t++) {
            m[t][t % s] = 1f;
        }
        return m;
    }

    /**
     * Windowed attention. {@code h} (4096, C) normalised tokens -> (4096, C) attention output before proj.
     */
    private Operand<TFloat32> windowAttention(Nn nn, Operand<TFloat32> h, Operand<? extends TType> qkvW,
                                              Operand<TFloat32> qkvB, Operand<TFloat32> relH, Operand<TFloat32> relW,
                                              int s) {
        int padded = ((grid + s - 1) / s) * s;
        int nw = padded / s;
        int pad = padded - grid;
        // Zero-pad the normalised tokens, then qkv (padded tokens get exactly the bias, as in the reference).
        Operand<TFloat32> hp = nn.tf.pad(nn.reshape(h, grid, grid, dim),
                nn.tf.constant(new int[][] {{0, pad}, {0, pad}, {0, 0}}), nn.scalar(0f));
        Operand<TFloat32> qkv = nn.linear(nn.reshape(hp, padded * padded, dim), qkvW, qkvB);
        // (wy, iy, wx, ix, 3, heads, hd) -> (3, wy, wx, heads, iy, ix, hd)
        qkv = nn.transpose(nn.reshape(qkv, nw, s, nw, s, 3, heads, headDim), 4, 0, 2, 5, 1, 3, 6);
        int batch = nw * nw * heads;
        List<Operand<TFloat32>> parts = nn.split(nn.reshape(qkv, 3, batch, s, s, headDim), 0, 3);
        Operand<TFloat32> q = nn.reshape(parts.get(0), batch, s, s, headDim);
        Operand<TFloat32> k = nn.reshape(parts.get(1), batch, s * s, headDim);
        Operand<TFloat32> v = nn.reshape(parts.get(2), batch, s * s, headDim);
        Operand<TFloat32> out = attend(nn, q, withColumnOneHot(nn, k, batch, s), v, relH, relW, batch, s, s, true);
        // (wy, wx, heads, iy, ix, hd) -> (wy, iy, wx, ix, heads, hd), then crop the padding.
        out = nn.transpose(nn.reshape(out, nw, nw, heads, s, s, headDim), 0, 3, 1, 4, 2, 5);
        out = nn.reshape(out, padded, padded, dim);
        if (pad > 0) {
            out = nn.slice(out, new int[] {0, 0, 0}, new int[] {grid, grid, dim});
        }
        return nn.reshape(out, grid * grid, dim);
    }

    /**
     * Keys (B, s*s, hd) extended with the column one-hot and zero padding, (B, s*s, {@link #augmentedWidth}), see
     * {@link #attend}.
     */
    private Operand<TFloat32> withColumnOneHot(Nn nn, Operand<TFloat32> k, int batch, int s) {
        Operand<TFloat32> oneHot = nn.tf.broadcastTo(nn.tf.constant(columnOneHot(s)), nn.ints(batch, s * s, s));
        return nn.concat(withPadding(nn, List.of(k, oneHot), batch, s * s, s), 2);
    }

    /**
     * Width of the extended q and k: hd features + s one-hot columns, rounded up to a multiple of 16 (oneDNN's
     * AVX-512 kernels run a reduction of 80 markedly faster than one of 78).
     */
    private int augmentedWidth(int s) {
        return (headDim + s + 15) / 16 * 16;
    }

    private List<Operand<TFloat32>> withPadding(Nn nn, List<Operand<TFloat32>> parts, int batch, int rows, int s) {
        int pad = augmentedWidth(s) - headDim - s;
        if (pad == 0) {
            return parts;
        }
        List<Operand<TFloat32>> out = new ArrayList<>(parts);
        out.add(nn.tf.zeros(nn.ints(batch, rows, pad), TFloat32.class));
        return out;
    }

    /** Global attention over all tokens, in chunks of query rows. */
    private Operand<TFloat32> globalAttention(Nn nn, Operand<TFloat32> h, Operand<? extends TType> qkvW,
                                              Operand<TFloat32> qkvB, Operand<TFloat32> relH, Operand<TFloat32> relW) {
        int tokens = grid * grid;
        Operand<TFloat32> qkv = nn.linear(h, qkvW, qkvB);
        // (tokens, 3, heads, hd) -> (3, heads, tokens, hd)
        qkv = nn.transpose(nn.reshape(qkv, tokens, 3, heads, headDim), 1, 2, 0, 3);
        List<Operand<TFloat32>> parts = nn.split(qkv, 0, 3);
        Operand<TFloat32> q = nn.reshape(parts.get(0), heads, grid, grid, headDim);
        Operand<TFloat32> k = nn.reshape(parts.get(1), heads, tokens, headDim);
        Operand<TFloat32> v = nn.reshape(parts.get(2), heads, tokens, headDim);
        List<Operand<TFloat32>> chunks = new ArrayList<>();
        Operand<TFloat32> previous = null;
        // In bfloat16 the doubled q.k reduction is cheap and the column trick pays; in float32 it does not.
        boolean columnInProduct = nn.precision == Precision.BF16;
        Operand<TFloat32> keys = columnInProduct ? withColumnOneHot(nn, k, heads, grid) : k;
        for (int r0 = 0; r0 < grid; r0 += GLOBAL_ROWS_PER_CHUNK) {
            int rows = Math.min(GLOBAL_ROWS_PER_CHUNK, grid - r0);
            // Each chunk starts after the previous one finished, so only one attention matrix is alive.
            Nn c = previous == null ? nn : nn.after(previous);
            Operand<TFloat32> qc = c.slice(q, new int[] {0, r0, 0, 0}, new int[] {heads, rows, grid, headDim});
            Operand<TFloat32> rh = c.slice(relH, new int[] {r0, 0, 0}, new int[] {rows, headDim, grid});
            Operand<TFloat32> out = attend(c, qc, keys, v, rh, relW, heads, rows, grid, columnInProduct);
            chunks.add(out);
            previous = out;
        }
        Operand<TFloat32> out = nn.concat(chunks, 1);
        // (heads, tokens, hd) -> (tokens, heads * hd)
        return nn.reshape(nn.transpose(out, 1, 0, 2), tokens, dim);
    }

    /**
     * Attention of {@code q} (B, qh, qw, hd) over keys and values (B, kh*kw, hd), with SAM's decomposed relative
     * position bias (add_decomposed_rel_pos): the bias uses the unscaled q, the logits the scaled one.
     * {@code relH} is the transposed table (qh, hd, kh) for these query rows, {@code relW} (qw, hd, kw). Returns
     * (B, qh*qw, hd).
     *
     * <p>With {@code columnInProduct} the column term rel_w is added inside the q.k product instead of in a pass
     * over the attention matrix: the keys carry a one-hot of their column after their hd features (see
     * {@link #withColumnOneHot}) and the queries their rel_w row, so q'.k' = scale q.k + rel_w[q, kx] exactly.
     * That pays for 14x14 windows (a reduction of 80 instead of 64, but one pass less) and for the global attention
     * in bfloat16 (4.45 vs 4.82 s per ViT-B encoder); for the global attention in float32 the doubled reduction
     * costs about what the pass saves (595 vs 547 ms per block in isolation, a tie in the full encoder).
     */
    private Operand<TFloat32> attend(Nn nn, Operand<TFloat32> q, Operand<TFloat32> k, Operand<TFloat32> v,
                                     Operand<TFloat32> relH, Operand<TFloat32> relW, int batch, int qh, int kw,
                                     boolean columnInProduct) {
        // Windows and the global grid are square: queries span qw = kw columns, keys the full kh = kw rows.
        int qw = kw;
        int kh = kw;
        float scale = (float) Math.pow(headDim, -0.5);
        // rel_h[b, y, x, ky] = sum_c q[b, y, x, c] * Rh[y, ky, c]: a product batched over y
        Operand<TFloat32> qy = nn.reshape(nn.transpose(q, 1, 0, 2, 3), qh, batch * qw, headDim);
        Operand<TFloat32> relHb = nn.transpose(nn.reshape(nn.bmm(qy, relH, false, false), qh, batch, qw, kh), 1, 0, 2, 3);
        // rel_w[b, y, x, kx] = sum_c q[b, y, x, c] * Rw[x, kx, c]: batched over x
        Operand<TFloat32> qx = nn.reshape(nn.transpose(q, 2, 0, 1, 3), qw, batch * qh, headDim);
        Operand<TFloat32> relWb = nn.transpose(nn.reshape(nn.bmm(qx, relW, false, false), qw, batch, qh, kw), 1, 2, 0, 3);
        Operand<TFloat32> qs = nn.mul(nn.reshape(q, batch, qh * qw, headDim), scale);
        Operand<TFloat32> l5;
        if (columnInProduct) {
            Operand<TFloat32> qAug = nn.concat(withPadding(nn, List.of(qs, nn.reshape(relWb, batch, qh * qw, kw)),
                    batch, qh * qw, kw), 2);
            Operand<TFloat32> logits = nn.bmm(qAug, k, false, true); // (B, qh*qw, kh*kw), rel_w included
            l5 = nn.add(nn.reshape(logits, batch, qh, qw, kh, kw), nn.reshape(relHb, batch, qh, qw, kh, 1));
        } else {
            Operand<TFloat32> logits = nn.bmm(qs, k, false, true);
            l5 = nn.add(nn.add(nn.reshape(logits, batch, qh, qw, kh, kw), nn.reshape(relHb, batch, qh, qw, kh, 1)),
                    nn.reshape(relWb, batch, qh, qw, 1, kw));
        }
        Operand<TFloat32> probs = nn.softmax(nn.reshape(l5, batch, qh * qw, kh * kw));
        return nn.bmm(probs, v, false, false);
    }
}
