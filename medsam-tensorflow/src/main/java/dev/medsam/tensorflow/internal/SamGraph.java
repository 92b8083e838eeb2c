package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.TinyVitArchitecture;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.util.Optional;

/**
 * The whole SAM network in one TensorFlow graph, with every entry point the model runs:
 * <ul>
 *   <li>encoder: image (1, 3, 1024, 1024) with SAM's ViT, or (1, 3, 256, 256) with LiteMedSAM's TinyViT ->
 *   embedding (1, 256, 64, 64), plus the decoder's per-image side;</li>
 *   <li>prepare: an embedding handed back by the caller -> the decoder's per-image side;</li>
 *   <li>prompt encoder: coordinates and codes -> sparse embeddings; mask prompt -> dense embeddings;</li>
 *   <li>four decoder variants: sparse embeddings fed or computed from the prompt (fused predict), dense
 *   embeddings equal to the no-mask embedding (cached image side) or given per prompt.</li>
 * </ul>
 * The prompt encoder and mask decoder are SAM's for both encoders; LiteMedSAM's prompt encoder takes
 * coordinates in its 256 frame. Weights are variables (see {@link WeightStore}); nothing here runs anything.
 */
final class SamGraph {

    static final int TOKENS = 64 * 64;
    static final int DIM = 256;

    final ModelArchitecture architecture;
    final WeightStore weights;
    /** SAM's ViT encoder, for a {@link SamArchitecture}. */
    final Optional<ImageEncoderGraph> vit;
    /** LiteMedSAM's TinyViT encoder, for a {@link TinyVitArchitecture}. */
    final Optional<TinyVitEncoderGraph> tinyVit;
    /** The encoder's input, (1, 3, S, S) with S the architecture's image size. */
    final Placeholder<TFloat32> image;
    /** The encoder's output, (1, 256, 64, 64). */
    final Operand<TFloat32> embedding;
    final PromptEncoderGraph prompt;
    final MaskDecoderGraph decoder;

    /** The encoder's embedding as (1, 4096, 256) tokens, and the decoder image side computed from it. */
    final Operand<TFloat32> encoderTokens;
    final MaskDecoderGraph.ImageSide encoderSide;

    /** An embedding handed in by the caller (1, 256, 64, 64), and its image side and tokens. */
    final Placeholder<TFloat32> embeddingFeed;
    final Operand<TFloat32> embeddingFeedTokens;
    final MaskDecoderGraph.ImageSide embeddingFeedSide;

    /**
     * Placeholders for a cached image: the embedding tokens (1, 4096, 256) and the no-mask image side (source
     * tokens and the first layer's head-major projections).
     */
    final Placeholder<TFloat32> cachedTokens;
    final Placeholder<TFloat32> cachedSrc;
    final Placeholder<TFloat32> cachedK0;
    final Placeholder<TFloat32> cachedV0;
    final Placeholder<TFloat32> cachedQ0;

    /** Sparse (B, N, 256) and dense (B, 256, 64, 64) prompt embeddings handed in by the caller. */
    final Placeholder<TFloat32> sparseFeed;
    final Placeholder<TFloat32> denseFeed;

    /** decode(): sparse fed, no-mask dense (cached side). */
    final MaskDecoderGraph.Outputs decodeNoMask;
    /** decode(): sparse and dense fed. */
    final MaskDecoderGraph.Outputs decodeDense;
    /** predict(): sparse from the prompt placeholders, no mask prompt. */
    final MaskDecoderGraph.Outputs predictNoMask;
    /** predict() for exactly one prompt without a mask (2-D products; see MaskDecoderGraph.decodeOne). */
    final MaskDecoderGraph.Outputs predictNoMaskOne;
    /** predict(): sparse from the prompt placeholders, dense from the mask prompt. */
    final MaskDecoderGraph.Outputs predictMask;

    /**
     * @param precision the image encoder's matrix-product arithmetic (ViT or TinyViT); the decoder is float32
     * @throws IllegalArgumentException if the TinyViT variant is one the graph cannot build (see
     *                                  {@link TinyVitEncoderGraph})
     */
    SamGraph(Ops ops, ModelArchitecture architecture, Precision precision, boolean fusedLayerNorm) {
        this.architecture = architecture;
        Ops tf = ops;
        weights = new WeightStore(tf);
        Nn fp32 = new Nn(tf, Precision.FP32, fusedLayerNorm);
        // The prompt encoder's and decoder's sub-scopes are made first, while the graph is nearly empty: TF Java
        // reads every op of the graph back for each new sub-scope (to learn the names in use), and made after the
        // encoder these reads were about half of the time building the tiny model's graph took.
        Nn prep = fp32.scope("decoder_prepare");
        Nn fromEncoder = prep.scope("from_encoder");
        Nn fed = prep.scope("from_feed");
        Nn cache = fp32.scope("cached");
        Nn in = fp32.scope("decoder_inputs");
        Nn nomask = fp32.scope("decode_nomask");
        Nn dd = fp32.scope("decode_dense");
        Nn ddPrepare = dd.scope("prepare");
        Nn predictNomask = fp32.scope("predict_nomask");
        Nn predictNomaskOne = fp32.scope("predict_nomask_one");
        Nn pm = fp32.scope("predict_mask");
        Nn pmPrepare = pm.scope("prepare");
        PromptEncoderGraph.Scopes promptScopes = PromptEncoderGraph.Scopes.of(fp32, weights);
        Operand<TFloat32> tokens;
        if (architecture instanceof TinyVitArchitecture t) {
            TinyVitEncoderGraph encoder = new TinyVitEncoderGraph(fp32.withPrecision(precision), weights, t);
            vit = Optional.empty();
            tinyVit = Optional.of(encoder);
            image = encoder.image;
            embedding = encoder.embedding;
            tokens = encoder.embeddingTokens;
        } else {
            ImageEncoderGraph encoder = new ImageEncoderGraph(fp32.withPrecision(precision), weights,
                    (SamArchitecture) architecture);
            vit = Optional.of(encoder);
            tinyVit = Optional.empty();
            image = encoder.image;
            embedding = encoder.embedding;
            tokens = encoder.embeddingTokens;
        }
        prompt = new PromptEncoderGraph(promptScopes, weights, architecture.imageSize());
        decoder = new MaskDecoderGraph(weights, prompt.densePeTokens);

        encoderTokens = prep.reshape(tokens, 1, TOKENS, DIM);
        encoderSide = decoder.prepare(fromEncoder, encoderTokens, prompt.noMaskEmbed);

        embeddingFeed = fed.tf.withName("embedding").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(1, DIM, 64, 64)));
        embeddingFeedTokens = fed.reshape(fed.transpose(embeddingFeed, 0, 2, 3, 1), 1, TOKENS, DIM);
        embeddingFeedSide = decoder.prepare(fed, embeddingFeedTokens, prompt.noMaskEmbed);

        cachedTokens = placeholder(cache, "tokens", DIM);
        cachedSrc = placeholder(cache, "src", DIM);
        cachedK0 = headMajor(cache, "k0");
        cachedV0 = headMajor(cache, "v0");
        cachedQ0 = headMajor(cache, "q0");
        MaskDecoderGraph.ImageSide cachedSide = new MaskDecoderGraph.ImageSide(cachedSrc, cachedK0, cachedV0, cachedQ0);

        sparseFeed = in.tf.withName("sparse").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, DIM)));
        denseFeed = in.tf.withName("dense").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, DIM, 64, 64)));
        Operand<TFloat32> denseFeedTokens = in.reshape(in.transpose(denseFeed, 0, 2, 3, 1), -1, TOKENS, DIM);

        decodeNoMask = decoder.decode(nomask, sparseFeed, cachedSide);
        decodeDense = decoder.decode(dd, sparseFeed, decoder.prepare(ddPrepare, cachedTokens, denseFeedTokens));
        predictNoMask = decoder.decode(predictNomask, prompt.sparse, cachedSide);
        predictNoMaskOne = decoder.decodeOne(predictNomaskOne, prompt.sparse, cachedSide);
        predictMask = decoder.decode(pm, prompt.sparse, decoder.prepare(pmPrepare, cachedTokens, prompt.maskDenseTokens));
    }

    /** A cached first-layer projection, (1, 8 heads, 4096, 16). */
    private static Placeholder<TFloat32> headMajor(Nn nn, String name) {
        return nn.tf.withName(name).placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(1, MaskDecoderGraph.HEADS, TOKENS, DIM / 2 / MaskDecoderGraph.HEADS)));
    }

    private static Placeholder<TFloat32> placeholder(Nn nn, String name, int channels) {
        return nn.tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, TOKENS, channels)));
    }
}
