package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.TinyVitArchitecture;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

import java.util.ArrayList;
import java.util.List;

/**
 * LiteMedSAM's TinyViT image encoder (tiny_vit_sam.py of the MedSAM LiteMedSAM branch) as a graph: input
 * (1, 3, 256, 256), embedding (1, 256, 64, 64).
 *
 * <p>Activations are NHWC; a (H*W, C) token matrix is the same memory, row {@code y * W + x}, so 1x1
 * convolutions and Linear layers are plain matrix products. Every Conv2d+BatchNorm pair runs as one convolution
 * with a bias: the BatchNorm (eval mode, eps 1e-5) is folded into the kernel once, right after the weights are
 * uploaded ({@link WeightStore#derived}), so inference never touches the running statistics.
 *
 * <p>Structure, as the reference builds it: a patch embedding of two 1x1 Conv+BN with GELU between (at 256x256);
 * layer 0 of MBConv blocks (1x1 expand by 4, GELU, depthwise 3x3, GELU, 1x1, residual, GELU); layers 1.. of
 * TinyViT blocks (window attention with zero padding at the bottom and right, a learned bias per head indexed
 * by the |dy|, |dx| offset inside the window, then a depthwise 3x3 Conv+BN, then an MLP, each with its own
 * LayerNorm, eps 1e-5); a PatchMerging after every layer but the last (1x1, GELU, depthwise 3x3 with stride 2,
 * or stride 1 when the output width is 320, 448 or 576 as in the reference, GELU, 1x1); and SAM's neck
 * (1x1 conv, LayerNorm2d, 3x3 conv, LayerNorm2d, eps 1e-6).
 *
 * <p>Nothing here runs anything; not thread-safe while building.
 */
final class TinyVitEncoderGraph {

    static final float BN_EPS = 1e-5f;
    static final float LN_EPS = 1e-5f;
    static final float NECK_EPS = 1e-6f;
    /** What a 1x1 convolution's input is multiplied by after {@link #depthwiseGelu}: sqrt(2). */
    static final float GELU_OUTPUT_SCALE = (float) Math.sqrt(2);

    final Placeholder<TFloat32> image;
    /** Patch-embedding output, (1, 256, 256, d0) NHWC. */
    final Operand<TFloat32> patchEmbed;
    /** Each layer's output after its PatchMerging, as (tokens, C) row-major over the grid. */
    final List<Operand<TFloat32>> layers = new ArrayList<>();
    /** Neck output in NHWC token order, (4096, 256). */
    final Operand<TFloat32> embeddingTokens;
    /** The image embedding as the reference returns it, (1, 256, 64, 64). */
    final Operand<TFloat32> embedding;

    private final WeightStore w;
    private final Nn u;

    /** A convolution (or matrix) with its BatchNorm folded in: kernel and bias. */
    private record Folded(Operand<TFloat32> kernel, Operand<TFloat32> bias) {
    }

    /**
     * @throws IllegalArgumentException if the architecture does not end on the 64x64 grid SAM's decoder needs or
     *                                  has a patch embedding other than 1x1
     */
    TinyVitEncoderGraph(Nn root, WeightStore w, TinyVitArchitecture arch) {
        this.w = w;
        this.u = w.nn();
        // Layer resolutions follow the strides; the reference hard-codes them, and only a 64x64 end works.
        int[] resolution = new int[arch.layerCount()];
        int r = TinyVitArchitecture.IMAGE_SIZE;
        for (int i = 0; i < arch.layerCount(); i++) {
            resolution[i] = r;
            if (i + 1 < arch.layerCount()) {
                r = mergeStride(arch.embedDims().get(i + 1)) == 2 ? (r - 1) / 2 + 1 : r;
            }
        }
        if (arch.patchKernel() != 1) {
            // TinyViT's original 3x3 stride-2 patch embedding changes every resolution; LiteMedSAM uses 1x1.
            throw new IllegalArgumentException("only LiteMedSAM's 1x1 patch embedding is supported, this TinyViT has "
                    + arch.patchKernel() + "x" + arch.patchKernel());
        }
        if (r != TinyVitArchitecture.EMBEDDING_SIZE) {
            throw new IllegalArgumentException("TinyViT " + arch.describe() + " ends on a " + r + "x" + r
                    + " grid; SAM's decoder needs 64x64");
        }
        Nn nn = root.scope("image_encoder");
        int size = TinyVitArchitecture.IMAGE_SIZE;
        image = nn.tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 3, size, size)));

        // Sub-scopes up front: TF Java reads every op of the graph back for each new one (see SamGraph).
        Nn peScope = nn.scope("patch_embed");
        List<List<Nn>> blockScopes = new ArrayList<>();
        List<Nn> downsampleScopes = new ArrayList<>();
        for (int i = 0; i < arch.layerCount(); i++) {
            Nn ln = nn.scope("layer" + i);
            List<Nn> bs = new ArrayList<>();
            for (int b = 0; b < arch.depths().get(i); b++) {
                bs.add(ln.scope("block" + b));
            }
            blockScopes.add(bs);
            if (i + 1 < arch.layerCount()) {
                downsampleScopes.add(ln.scope("downsample"));
            }
        }
        Nn neck = nn.scope("neck");

        int d0 = arch.embedDims().get(0);
        // three input channels: nothing to gain from bfloat16, and the input keeps its precision
        Nn pe = peScope.withPrecision(Precision.FP32);
        Operand<TFloat32> x = pe.reshape(pe.transpose(image, 0, 2, 3, 1), size * size, 3);
        x = pe.gelu(conv1x1(pe, x, "image_encoder.patch_embed.seq.0.", d0 / 2, 3));
        x = conv1x1(pe, x, "image_encoder.patch_embed.seq.2.", d0, d0 / 2);
        patchEmbed = pe.reshape(x, 1, size, size, d0);

        for (int i = 0; i < arch.layerCount(); i++) {
            int d = arch.embedDims().get(i);
            int res = resolution[i];
            String p = "image_encoder.layers." + i + ".";
            for (int b = 0; b < arch.depths().get(i); b++) {
                Nn bn = blockScopes.get(i).get(b);
                String bp = p + "blocks." + b + ".";
                x = i == 0 ? mbConv(bn, x, bp, d, res)
                        : tinyVitBlock(bn, x, bp, d, res, arch.heads().get(i - 1), arch.windowSizes().get(i - 1));
            }
            if (i + 1 < arch.layerCount()) {
                x = patchMerging(downsampleScopes.get(i), x, p + "downsample.", d, arch.embedDims().get(i + 1), res);
            }
            layers.add(x);
        }

        int out = TinyVitArchitecture.OUT_CHANNELS;
        int grid = TinyVitArchitecture.EMBEDDING_SIZE;
        int last = arch.embedDims().get(arch.layerCount() - 1);
        Operand<TFloat32> y = neck.matmul(x, w.product("image_encoder.neck.0.weight", new int[] {out, last, 1, 1},
                new int[] {last, out}, t -> u.transpose(u.reshape(t, out, last), 1, 0), neck.precision));
        y = neck.layerNorm(y, w.f32("image_encoder.neck.1.weight", out), w.f32("image_encoder.neck.1.bias", out),
                NECK_EPS);
        y = conv3x3(neck, y, w.product("image_encoder.neck.2.weight", new int[] {out, out, 3, 3},
                new int[] {9 * out, out}, t -> u.reshape(u.transpose(t, 2, 3, 1, 0), 9 * out, out), neck.precision),
                grid, out);
        y = neck.layerNorm(y, w.f32("image_encoder.neck.3.weight", out), w.f32("image_encoder.neck.3.bias", out),
                NECK_EPS);
        embeddingTokens = y;
        embedding = nn.tf.withName("embedding").linalg.transpose(nn.reshape(y, 1, grid, grid, out),
                nn.ints(0, 3, 1, 2));
    }

    /** PatchMerging's depthwise stride: the reference keeps the grid for output widths 320, 448 and 576. */
    static int mergeStride(int outDim) {
        return outDim == 320 || outDim == 448 || outDim == 576 ? 1 : 2;
    }

    // ------------------------------------------------------------------ blocks

    /** MBConv on (res*res, d) tokens. */
    private Operand<TFloat32> mbConv(Nn nn, Operand<TFloat32> x, String p, int d, int res) {
        int hidden = TinyVitArchitecture.EXPANSION * d;
        Operand<TFloat32> h = nn.gelu(conv1x1(nn, x, p + "conv1.", hidden, d));
        h = depthwiseGelu(nn, nn.reshape(h, 1, res, res, hidden), p + "conv2.", hidden, 1, res);
        h = conv1x1(nn, nn.reshape(h, res * res, hidden), p + "conv3.", d, hidden, GELU_OUTPUT_SCALE);
        return nn.gelu(nn.add(h, x));
    }

    /** PatchMerging on (res*res, d) tokens -> (res'*res', out). */
    private Operand<TFloat32> patchMerging(Nn nn, Operand<TFloat32> x, String p, int d, int out, int res) {
        int stride = mergeStride(out);
        Operand<TFloat32> h = nn.gelu(conv1x1(nn, x, p + "conv1.", out, d));
        h = depthwiseGelu(nn, nn.reshape(h, 1, res, res, out), p + "conv2.", out, stride, res);
        int next = stride == 2 ? (res - 1) / 2 + 1 : res;
        return conv1x1(nn, nn.reshape(h, next * next, out), p + "conv3.", out, out, GELU_OUTPUT_SCALE);
    }

    /** A TinyViT block on (res*res, d) tokens. */
    private Operand<TFloat32> tinyVitBlock(Nn nn, Operand<TFloat32> x, String p, int d, int res, int heads, int ws) {
        int padded = (res + ws - 1) / ws * ws;
        int nw = padded / ws;
        int n = ws * ws;
        int kd = d / heads;
        Operand<TFloat32> h = nn.reshape(x, res, res, d);
        if (padded > res) {
            h = nn.tf.pad(h, nn.tf.constant(new int[][] {{0, padded - res}, {0, padded - res}, {0, 0}}),
                    nn.scalar(0f));
        }
        // window partition: (wy, iy, wx, ix, d) -> (wy, wx, iy, ix, d)
        h = nn.reshape(nn.transpose(nn.reshape(h, nw, ws, nw, ws, d), 0, 2, 1, 3, 4), nw * nw * n, d);
        h = nn.layerNorm(h, w.f32(p + "attn.norm.weight", d), w.f32(p + "attn.norm.bias", d), LN_EPS);
        h = nn.linear(h, w.linearWeight(p + "attn.qkv.weight", 3 * d, d, nn.precision),
                w.f32(p + "attn.qkv.bias", 3 * d));
        // qkv.view(B, N, heads, -1).split([kd, kd, kd]): per head q, k, v side by side -> (3, B, heads, N, kd)
        h = nn.transpose(nn.reshape(h, nw * nw, n, heads, 3, kd), 3, 0, 2, 1, 4);
        List<Operand<TFloat32>> qkv = nn.split(h, 0, 3);
        int batch = nw * nw;
        Operand<TFloat32> q = nn.reshape(qkv.get(0), batch, heads, n, kd);
        Operand<TFloat32> k = nn.reshape(qkv.get(1), batch, heads, n, kd);
        Operand<TFloat32> v = nn.reshape(qkv.get(2), batch, heads, n, kd);
        Operand<TFloat32> logits = nn.mul(nn.bmm(q, k, false, true), (float) Math.pow(kd, -0.5));
        logits = nn.add(logits, attentionBias(p + "attn.attention_biases", heads, ws));
        Operand<TFloat32> o = nn.bmm(nn.softmax(logits), v, false, false); // (B, heads, N, kd)
        o = nn.reshape(nn.transpose(o, 0, 2, 1, 3), batch * n, d);
        o = nn.linear(o, w.linearWeight(p + "attn.proj.weight", d, d, nn.precision), w.f32(p + "attn.proj.bias", d));
        // window reverse and crop
        o = nn.reshape(nn.transpose(nn.reshape(o, nw, nw, ws, ws, d), 0, 2, 1, 3, 4), padded, padded, d);
        if (padded > res) {
            o = nn.slice(o, new int[] {0, 0, 0}, new int[] {res, res, d});
        }
        x = nn.add(x, nn.reshape(o, res * res, d));
        x = nn.reshape(depthwise(nn, nn.reshape(x, 1, res, res, d), p + "local_conv.", d, 1, res, 1f), res * res, d);
        Operand<TFloat32> m = nn.layerNorm(x, w.f32(p + "mlp.norm.weight", d), w.f32(p + "mlp.norm.bias", d), LN_EPS);
        int hidden = TinyVitArchitecture.EXPANSION * d;
        m = nn.gelu(nn.linear(m, w.linearWeight(p + "mlp.fc1.weight", hidden, d, nn.precision),
                w.f32(p + "mlp.fc1.bias", hidden)));
        m = nn.linear(m, w.linearWeight(p + "mlp.fc2.weight", d, hidden, nn.precision), w.f32(p + "mlp.fc2.bias", d));
        return nn.add(x, m);
    }

    /**
     * The bias table expanded to (heads, N, N) once at load: entry (h, i, j) is {@code biases[h, |yi - yj| * ws +
     * |xi - xj|]}, which is the reference's attention_bias_idxs (offsets numbered in order of first appearance,
     * and every offset first appears from the window's top-left token).
     */
    private Operand<TFloat32> attentionBias(String key, int heads, int ws) {
        int n = ws * ws;
        int[][] index = new int[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                index[i][j] = Math.abs(i / ws - j / ws) * ws + Math.abs(i % ws - j % ws);
            }
        }
        return w.f32(key, "expanded", new int[] {heads, n}, new int[] {heads, n, n},
                t -> u.tf.gather(t, u.tf.constant(index), u.tf.constant(1)));
    }

    // ------------------------------------------------------------------ Conv2d + BatchNorm, folded

    /**
     * gamma / sqrt(var + eps) and beta - mean * that, from the BatchNorm under {@code p + "bn."}, both times
     * {@code factor}.
     */
    private Operand<TFloat32>[] bnScaleShift(String p, int c, float factor) {
        Operand<TFloat32> gamma = w.f32(p + "bn.weight", c);
        Operand<TFloat32> beta = w.f32(p + "bn.bias", c);
        Operand<TFloat32> mean = w.f32(p + "bn.running_mean", c);
        Operand<TFloat32> var = w.f32(p + "bn.running_var", c);
        Operand<TFloat32> unscaled = u.mul(gamma, u.tf.math.rsqrt(u.add(var, u.scalar(BN_EPS))));
        Operand<TFloat32> shift = u.sub(beta, u.mul(mean, unscaled));
        Operand<TFloat32> scale = factor == 1f ? unscaled : u.mul(unscaled, u.scalar(factor));
        shift = factor == 1f ? shift : u.mul(shift, u.scalar(factor));
        @SuppressWarnings("unchecked")
        Operand<TFloat32>[] r = new Operand[] {scale, w.derived(p + "folded.bias", new int[] {c}, shift)};
        return r;
    }

    /** A 1x1 Conv+BN (out, in, 1, 1) on (tokens, in): a product with the folded (in, out) matrix plus bias. */
    private Operand<TFloat32> conv1x1(Nn nn, Operand<TFloat32> x, String p, int out, int in) {
        return conv1x1(nn, x, p, out, in, 1f);
    }

    /**
     * A 1x1 Conv+BN on {@code inputScale} times its real input: the kernel is divided by that factor at load, so
     * the input may arrive scaled (see {@link #depthwiseGelu}) at no cost per run.
     */
    private Operand<TFloat32> conv1x1(Nn nn, Operand<TFloat32> x, String p, int out, int in, float inputScale) {
        Operand<TFloat32>[] ss = bnScaleShift(p, out, 1f);
        Operand<TFloat32> k = w.f32(p + "c.weight", "matrix", new int[] {out, in, 1, 1}, new int[] {in, out},
                t -> u.transpose(u.reshape(t, out, in), 1, 0));
        Operand<TFloat32> kernel = u.mul(k, ss[0]);
        if (inputScale != 1f) {
            kernel = u.mul(kernel, u.scalar(1f / inputScale));
        }
        Operand<? extends TType> folded = w.derivedProduct(p + "folded.kernel", new int[] {in, out}, kernel,
                nn.precision);
        return nn.linear(x, folded, ss[1]);
    }

    /**
     * GELU of a depthwise 3x3 Conv+BN, times {@link #GELU_OUTPUT_SCALE}: {@code sqrt(2) * gelu(y)}.
     * gelu(y) = 0.5 y (1 + erf(y / sqrt 2)); with z = y / sqrt 2 folded into the convolution's kernel and bias,
     * that is z (1 + erf(z)) / sqrt 2, so the activation costs three passes over the tensor (Erf, AddV2, Mul)
     * instead of five, and the constant 1 / sqrt 2 goes into the next 1x1 convolution's kernel. This matters in
     * layer 0, where the tensor is 256 x 256 x 256 floats (64 MiB) and the remapper cannot fuse a GELU into a
     * depthwise convolution. (The two-pass form with Erfc measured 30 times slower: TensorFlow's CPU Erfc is not
     * vectorised.)
     */
    private Operand<TFloat32> depthwiseGelu(Nn nn, Operand<TFloat32> x, String p, int c, int stride, int res) {
        Operand<TFloat32> z = depthwise(nn, x, p, c, stride, res, (float) Math.sqrt(0.5));
        return nn.tf.math.mul(z, nn.tf.math.add(nn.tf.math.erf(z), nn.scalar(1f)));
    }

    /**
     * A depthwise 3x3 Conv+BN (c, 1, 3, 3) with padding 1 on (1, res, res, c), output times {@code factor} (folded
     * into kernel and bias).
     */
    private Operand<TFloat32> depthwise(Nn nn, Operand<TFloat32> x, String p, int c, int stride, int res,
                                        float factor) {
        Operand<TFloat32>[] ss = bnScaleShift(p, c, factor);
        Operand<TFloat32> k = w.f32(p + "c.weight", "hwcm", new int[] {c, 1, 3, 3}, new int[] {3, 3, c, 1},
                t -> u.transpose(t, 2, 3, 0, 1));
        Operand<TFloat32> folded = w.derived(p + "folded.kernel", new int[] {3, 3, c, 1},
                u.mul(k, u.reshape(ss[0], 1, 1, c, 1)));
        Operand<TFloat32> y;
        if (stride == 1) {
            // stride 1: TF's SAME is PyTorch's padding 1, without copying the (large) input into a padded one
            y = nn.tf.nn.depthwiseConv2dNative(x, folded, List.of(1L, 1L, 1L, 1L), "SAME");
        } else {
            // PyTorch pads 1 on every side; TF's SAME would pad (0, 1) on an even size. Output j reads inputs
            // 2j-1..2j+1, so pad 1 at the top and left only, and 1 at the bottom and right only when res is odd
            // (its last output reads the padding there).
            int end = res % 2;
            Operand<TFloat32> padded = nn.tf.pad(x, nn.tf.constant(new int[][] {{0, 0}, {1, end}, {1, end}, {0, 0}}),
                    nn.scalar(0f));
            long s = stride;
            y = nn.tf.nn.depthwiseConv2dNative(padded, folded, List.of(1L, s, s, 1L), "VALID");
        }
        return nn.tf.nn.biasAdd(y, ss[1]);
    }

    /**
     * A 3x3 convolution with padding 1 and no bias on (size * size, c) tokens as one matrix product: the nine
     * shifted views side by side (size * size, 9c) times the (9c, out) kernel. oneDNN's direct convolution
     * measured about ten times slower here than the same multiply-adds as a matrix product.
     */
    private static Operand<TFloat32> conv3x3(Nn nn, Operand<TFloat32> x, Operand<? extends TType> kernel, int size,
                                             int c) {
        Operand<TFloat32> padded = nn.tf.pad(nn.reshape(x, size, size, c),
                nn.tf.constant(new int[][] {{1, 1}, {1, 1}, {0, 0}}), nn.scalar(0f));
        List<Operand<TFloat32>> shifted = new ArrayList<>(9);
        for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
                shifted.add(nn.slice(padded, new int[] {ky, kx, 0}, new int[] {size, size, c}));
            }
        }
        return nn.matmul(nn.reshape(nn.concat(shifted, 2), size * size, 9 * c), kernel);
    }

}
