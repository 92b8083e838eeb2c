package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.BackendException;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.checkpoint.TinyVitArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A LiteMedSAM model loaded into its own TensorFlow graph and session: the TinyViT encoder ((1, 3, 256, 256)
 * image in, (1, 256, 64, 64) embedding out) and SAM's prompt encoder (for the 256 input frame) and mask decoder
 * on that embedding. Owns its native graph and session until {@link #close()}. {@link #encode} and
 * {@link #predictBoxes} may be called from several threads (TensorFlow sessions run concurrently); closing while a
 * call runs is not allowed.
 *
 * <p>The decoder's per-image side (source tokens and the first layer's image projections, about 0.4 G
 * multiply-adds) is computed on the first {@link #predictBoxes} call for an embedding and kept, as native tensors,
 * for the last {@value #IMAGE_SIDE_CACHE} embeddings, recognised by object identity (a {@link FloatTensor} is
 * immutable), so further boxes on the same image run only the prompt-dependent part.
 *
 * <p>Public only so that the benchmarks (run from the class path) can time it; the package is not exported.
 */
public final class LiteMedSamTfModel implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LiteMedSamTfModel.class.getName());
    /** How many images' decoder sides are kept: an interactive user goes back and forth between a few slices. */
    static final int IMAGE_SIDE_CACHE = 4;

    private final TinyVitArchitecture architecture;
    private final Graph graph;
    private final Session session;
    private final TinyVitEncoderGraph encoder;
    private final PromptEncoderGraph prompt;
    private final Placeholder<TFloat32> embeddingFeed;
    private final Operand<TFloat32> embeddingTokens;
    private final MaskDecoderGraph.ImageSide embeddingSide;
    private final MaskDecoderGraph.ImageSide cachedSide;
    private final MaskDecoderGraph.Outputs predictCached;
    /** The same for exactly one box (2-D products; see MaskDecoderGraph.decodeOne). */
    private final MaskDecoderGraph.Outputs predictOne;
    private final DecoderCache imageSides = new DecoderCache(IMAGE_SIDE_CACHE);

    private LiteMedSamTfModel(TinyVitArchitecture architecture, Graph graph, Session session, Parts parts) {
        this.architecture = architecture;
        this.graph = graph;
        this.session = session;
        this.encoder = parts.encoder;
        this.prompt = parts.prompt;
        this.embeddingFeed = parts.embeddingFeed;
        this.embeddingTokens = parts.embeddingTokens;
        this.embeddingSide = parts.embeddingSide;
        this.cachedSide = parts.cachedSide;
        this.predictCached = parts.predictCached;
        this.predictOne = parts.predictOne;
    }

    /** The graph pieces the model runs. */
    private record Parts(TinyVitEncoderGraph encoder, PromptEncoderGraph prompt, Placeholder<TFloat32> embeddingFeed,
                         Operand<TFloat32> embeddingTokens,
                         MaskDecoderGraph.ImageSide embeddingSide, MaskDecoderGraph.ImageSide cachedSide,
                         MaskDecoderGraph.Outputs predictCached, MaskDecoderGraph.Outputs predictOne) {
    }

    private static Parts build(Ops tf, WeightStore store, TinyVitArchitecture architecture, boolean fusedLayerNorm,
                               Precision precision) {
        Nn fp32 = new Nn(tf, Precision.FP32, fusedLayerNorm);
        // the prompt encoder's and decoder's sub-scopes first: TF Java reads every op of the graph back for each new one (see SamGraph)
        Nn fed = fp32.scope("from_feed");
        Nn cache = fp32.scope("cached");
        Nn predictCachedScope = fp32.scope("predict_cached");
        Nn predictOneScope = fp32.scope("predict_one");
        PromptEncoderGraph.Scopes promptScopes = PromptEncoderGraph.Scopes.of(fp32, store);
        TinyVitEncoderGraph encoder = new TinyVitEncoderGraph(fp32.withPrecision(precision), store, architecture);
        PromptEncoderGraph prompt = new PromptEncoderGraph(promptScopes, store, TinyVitArchitecture.IMAGE_SIZE);
        MaskDecoderGraph decoder = new MaskDecoderGraph(store, prompt.densePeTokens);
        int dim = TinyVitArchitecture.OUT_CHANNELS;
        int grid = TinyVitArchitecture.EMBEDDING_SIZE;
        Placeholder<TFloat32> feed = fed.tf.withName("embedding").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(1, dim, grid, grid)));
        Operand<TFloat32> fedTokens = fed.reshape(fed.transpose(feed, 0, 2, 3, 1), 1, grid * grid, dim);
        MaskDecoderGraph.ImageSide side = decoder.prepare(fed, fedTokens, prompt.noMaskEmbed);
        // the decoder runs on an image side computed from the feed once and fed back from the cache (predictBoxes)
        int tokens = grid * grid;
        int headDim = dim / 2 / MaskDecoderGraph.HEADS;
        MaskDecoderGraph.ImageSide cached = new MaskDecoderGraph.ImageSide(
                cache.tf.withName("src").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, tokens, dim))),
                cache.tf.withName("k0").placeholder(TFloat32.class,
                        Placeholder.shape(Shape.of(1, MaskDecoderGraph.HEADS, tokens, headDim))),
                cache.tf.withName("v0").placeholder(TFloat32.class,
                        Placeholder.shape(Shape.of(1, MaskDecoderGraph.HEADS, tokens, headDim))),
                cache.tf.withName("q0").placeholder(TFloat32.class,
                        Placeholder.shape(Shape.of(1, MaskDecoderGraph.HEADS, tokens, headDim))));
        MaskDecoderGraph.Outputs predictCached = decoder.decode(predictCachedScope, prompt.sparse, cached);
        MaskDecoderGraph.Outputs predictOne = decoder.decodeOne(predictOneScope, prompt.sparse, cached);
        return new Parts(encoder, prompt, feed, fedTokens, side, cached, predictCached, predictOne);
    }

    /**
     * Builds the encoder graph in float32, checks {@code weights} against it, uploads them and folds the
     * BatchNorms.
     *
     * @throws BackendException INCOMPATIBLE_MODEL if the weights do not fit, RUNTIME if TensorFlow fails
     */
    public static LiteMedSamTfModel load(TinyVitArchitecture architecture, StateDict weights, ConfigProto config) {
        return load(architecture, weights, config, "fp32");
    }

    /**
     * {@link #load(TinyVitArchitecture, StateDict, ConfigProto)} with the encoder's matrix products in
     * {@code precision}: {@code fp32} or {@code bf16} (as the backend option of that name); the decoder is float32.
     *
     * @throws IllegalArgumentException if {@code precision} is neither
     */
    public static LiteMedSamTfModel load(TinyVitArchitecture architecture, StateDict weights, ConfigProto config,
                                         String precision) {
        Objects.requireNonNull(architecture, "architecture");
        Precision arithmetic = Precision.parse(Objects.requireNonNull(precision, "precision"));
        Objects.requireNonNull(weights, "weights");
        long t0 = System.nanoTime();
        Graph graph = new Graph();
        Session session = null;
        try {
            Ops tf = Ops.create(graph);
            WeightStore store = new WeightStore(tf);
            Parts g;
            try {
                g = build(tf, store, architecture, Kernels.fusedLayerNormAvailable(config), arithmetic);
            } catch (IllegalArgumentException e) {
                throw new BackendException(BackendException.Kind.INCOMPATIBLE_MODEL, e.getMessage(), e);
            }
            store.validate(weights, architecture.name());
            session = new Session(graph, config);
            store.upload(session, weights);
            LOG.log(System.Logger.Level.DEBUG, () -> String.format("built and loaded the %s model in %d ms",
                    architecture.name(), (System.nanoTime() - t0) / 1_000_000));
            return new LiteMedSamTfModel(architecture, graph, session, g);
        } catch (TensorFlowException e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            throw new BackendException(BackendException.Kind.RUNTIME,
                    "TensorFlow failed to build the " + architecture.name() + " encoder: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            throw e;
        }
    }

    TinyVitArchitecture architecture() {
        return architecture;
    }

    /**
     * The image embedding of a (1, 3, 256, 256) model input.
     *
     * @throws IllegalArgumentException if the input has another shape
     */
    public FloatTensor encode(FloatTensor image) {
        return run(image, List.of(encoder.embedding)).get(0);
    }

    /**
     * The encoder's intermediate outputs for debugging and parity checks: {@code patch_embed} (1, 256, 256, d0)
     * NHWC, {@code layer0}.. as (tokens, C) and {@code embedding} (1, 256, 64, 64).
     */
    Map<String, FloatTensor> intermediates(FloatTensor image) {
        List<Operand<TFloat32>> fetch = new ArrayList<>();
        List<String> names = new ArrayList<>();
        fetch.add(encoder.patchEmbed);
        names.add("patch_embed");
        for (int i = 0; i < encoder.layers.size(); i++) {
            fetch.add(encoder.layers.get(i));
            names.add("layer" + i);
        }
        fetch.add(encoder.embedding);
        names.add("embedding");
        List<FloatTensor> out = run(image, fetch);
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), out.get(i));
        }
        return m;
    }

    /**
     * The single-mask decoder output for boxes in the 256 frame (x0, y0, x1, y1 per row, in pixels of the resized
     * image), against {@code embedding} (1, 256, 64, 64): low-resolution logits (B, 1, 256, 256) and IoU
     * predictions (B, 1), one box per batch entry as the reference's medsam_inference. One box runs the decoder
     * graph built for a single prompt (2-D products, see MaskDecoderGraph.decodeOne), several the batched one.
     *
     * @throws IllegalArgumentException if the embedding has another shape or a box has not 4 finite values
     */
    public FloatTensor[] predictBoxes(FloatTensor embedding, float[][] boxes256) {
        return runBoxes(embedding, boxes256, runner -> {
            try (Result r = runner.run()) {
                return new FloatTensor[] {TensorIo.toFloatTensor(r.get(0)), TensorIo.toFloatTensor(r.get(1))};
            }
        });
    }

    /**
     * Runs {@code run} on a session runner that has the boxes and the image side fed and the single-mask logits
     * and IoU fetched (in that order): {@link #predictBoxes}, and the timing harness, which runs it with a trace.
     */
    <T> T runBoxes(FloatTensor embedding, float[][] boxes256, Function<Session.Runner, T> run) {
        return runBoxes(embedding, boxes256, boxes256.length != 1, run);
    }

    /**
     * {@link #runBoxes(FloatTensor, float[][], Function)} on the batched decoder graph ({@code batched}) or the
     * one-prompt graph (only for one box): the timing harness compares the two.
     */
    <T> T runBoxes(FloatTensor embedding, float[][] boxes256, boolean batched, Function<Session.Runner, T> run) {
        int grid = TinyVitArchitecture.EMBEDDING_SIZE;
        if (!embedding.hasShape(1, TinyVitArchitecture.OUT_CHANNELS, grid, grid)) {
            throw new IllegalArgumentException("a LiteMedSAM embedding is (1, 256, 64, 64), got "
                    + java.util.Arrays.toString(embedding.shape()));
        }
        if (boxes256.length == 0) {
            throw new IllegalArgumentException("no boxes");
        }
        float[] coords = new float[boxes256.length * 4];
        int[] codes = new int[boxes256.length * 2];
        for (int b = 0; b < boxes256.length; b++) {
            if (boxes256[b].length != 4) {
                throw new IllegalArgumentException("box " + b + " has " + boxes256[b].length + " values, expected 4");
            }
            for (int i = 0; i < 4; i++) {
                if (!Float.isFinite(boxes256[b][i])) {
                    throw new IllegalArgumentException("box " + b + " value " + i + " is " + boxes256[b][i]);
                }
                coords[b * 4 + i] = boxes256[b][i];
            }
            codes[b * 2] = 2;
            codes[b * 2 + 1] = 3;
        }
        if (!batched && boxes256.length != 1) {
            throw new IllegalArgumentException("the one-prompt decoder takes one box, got " + boxes256.length);
        }
        MaskDecoderGraph.Outputs decoder = batched ? predictCached : predictOne;
        DecoderCache.Entry side = imageSide(embedding);
        try (TFloat32 c = TensorIo.floats(coords, boxes256.length, 2, 2);
             TInt32 k = TensorIo.ints(codes, boxes256.length, 2)) {
            return run.apply(session.runner().feed(cachedSide.src(), side.src).feed(cachedSide.k0(), side.k0)
                    .feed(cachedSide.v0(), side.v0).feed(cachedSide.q0(), side.q0)
                    .feed(prompt.coords, c).feed(prompt.codes, k)
                    .fetch(decoder.logitsSingle()).fetch(decoder.iouSingle()));
        } catch (TensorFlowException ex) {
            throw new BackendException(BackendException.Kind.RUNTIME, "the LiteMedSAM decoder failed: "
                    + ex.getMessage(), ex);
        } finally {
            imageSides.release(side);
        }
    }

    /** The graph, for the timing harness's op descriptions. */
    Graph graph() {
        return graph;
    }

    /** The session and the encoder's endpoints, for the timing harness's traced encoder runs. */
    Session session() {
        return session;
    }

    TinyVitEncoderGraph encoderGraph() {
        return encoder;
    }

    /** The decoder's side of {@code embedding}, acquired (release it): from the cache, or computed and cached. */
    private DecoderCache.Entry imageSide(FloatTensor embedding) {
        long id = System.identityHashCode(embedding); // a collision only costs a recomputation: entries check identity
        DecoderCache.Entry entry = imageSides.acquire(id, embedding);
        if (entry != null) {
            return entry;
        }
        try (TFloat32 e = TensorIo.floats(embedding);
             Result r = session.runner().feed(embeddingFeed, e).fetch(embeddingTokens).fetch(embeddingSide.src())
                     .fetch(embeddingSide.k0()).fetch(embeddingSide.v0()).fetch(embeddingSide.q0()).run()) {
            entry = new DecoderCache.Entry(embedding, TensorIo.copy(r.get(0)), TensorIo.copy(r.get(1)),
                    TensorIo.copy(r.get(2)), TensorIo.copy(r.get(3)), TensorIo.copy(r.get(4)));
        } catch (TensorFlowException ex) {
            throw new BackendException(BackendException.Kind.RUNTIME, "the LiteMedSAM decoder failed on the image: "
                    + ex.getMessage(), ex);
        }
        DecoderCache.Entry stored = imageSides.put(id, entry, true);
        if (stored == null) {
            throw new IllegalStateException("the LiteMedSAM model is closed");
        }
        return stored;
    }

    private List<FloatTensor> run(FloatTensor image, List<Operand<TFloat32>> fetch) {
        int size = TinyVitArchitecture.IMAGE_SIZE;
        if (!image.hasShape(1, 3, size, size)) {
            throw new IllegalArgumentException("the LiteMedSAM encoder takes a (1, 3, 256, 256) input, got "
                    + java.util.Arrays.toString(image.shape()));
        }
        try (TFloat32 in = TensorIo.floats(image)) {
            Session.Runner runner = session.runner().feed(encoder.image, in);
            fetch.forEach(runner::fetch);
            try (Result r = runner.run()) {
                List<FloatTensor> out = new ArrayList<>();
                for (int i = 0; i < fetch.size(); i++) {
                    out.add(TensorIo.toFloatTensor(r.get(i)));
                }
                return out;
            }
        } catch (TensorFlowException e) {
            throw new BackendException(BackendException.Kind.RUNTIME, "the LiteMedSAM encoder failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        imageSides.close();
        session.close();
        graph.close();
    }
}
