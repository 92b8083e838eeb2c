package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.TinyVitArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.BackendException;
import dev.medsam.core.spi.CallGuard;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageEncoder;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.MaskDecoder;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEmbeddings;
import dev.medsam.core.spi.PromptEncoder;
import dev.medsam.core.spi.SamModel;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A SAM network (SAM or MedSAM's ViT, or LiteMedSAM's TinyViT, with SAM's prompt encoder and mask decoder) in one
 * TensorFlow graph and session, with the weights uploaded once. Thread-safe: TensorFlow
 * sessions run concurrent calls. {@link #close()} waits for calls in flight and is idempotent.
 *
 * <p>Owns native memory: the graph, the session with the weights (about 375 MB for ViT-B in float32, 39 MB for
 * LiteMedSAM) and the
 * decoder cache (about 14 MB per cached image).
 */
final class TfSamModel implements SamModel {

    private static final System.Logger LOG = System.getLogger(TfSamModel.class.getName());
    /**
     * Prompts per decoder run: larger batches are split, which bounds the decoder's transient native memory
     * (about 40 MB per prompt) at no cost in speed.
     */
    static final int MAX_DECODER_BATCH = 16;

    private final ModelArchitecture architecture;
    private final RuntimeConfig config;
    private final Graph graph;
    private final Session session;
    private final SamGraph g;
    private final CallGuard guard;
    private final DecoderCache cache;
    private final FloatTensor densePe;
    private final float[] noMask;
    private final ImageEncoder imageEncoder = this::encode;
    private final PromptEncoder promptEncoder = new PromptEncoder() {
        @Override
        public PromptEmbeddings encode(List<ModelPrompt> batch) {
            return encodePrompts(batch);
        }

        @Override
        public FloatTensor densePositionalEncoding() {
            return guard.call(() -> densePe);
        }
    };
    private final MaskDecoder maskDecoder = this::decode;
    private volatile Runnable onClose = () -> { };

    private TfSamModel(ModelArchitecture architecture, RuntimeConfig config, Graph graph, Session session, SamGraph g,
                       FloatTensor densePe, float[] noMask) {
        this.architecture = architecture;
        this.config = config;
        this.graph = graph;
        this.session = session;
        this.g = g;
        this.densePe = densePe;
        this.noMask = noMask;
        this.guard = new CallGuard("the TensorFlow " + architecture.name() + " model");
        this.cache = new DecoderCache(config.decoderCacheSize());
    }

    /**
     * Builds the graph for {@code architecture}, checks {@code weights} against it and uploads them.
     *
     * @throws BackendException INCOMPATIBLE_MODEL if the weights do not fit, RUNTIME if TensorFlow fails
     */
    static TfSamModel load(ModelArchitecture architecture, StateDict weights, RuntimeConfig config) {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(weights, "weights");
        long t0 = System.nanoTime();
        Graph graph = new Graph();
        Session session = null;
        try {
            Ops tf = Ops.create(graph);
            if (config.placement() != null) {
                tf = tf.withDevice(config.placement());
            }
            SamGraph g;
            try {
                g = new SamGraph(tf, architecture, config.precision(), config.fusedLayerNorm());
            } catch (IllegalArgumentException e) {
                throw new BackendException(BackendException.Kind.INCOMPATIBLE_MODEL, e.getMessage(), e);
            }
            g.weights.validate(weights, architecture.name());
            long t1 = System.nanoTime();
            session = new Session(graph, config.configProto());
            g.weights.upload(session, weights);
            long t2 = System.nanoTime();
            FloatTensor densePe;
            float[] noMask;
            try (Result r = session.runner().fetch(g.prompt.densePe).fetch(g.prompt.noMaskEmbed).run()) {
                densePe = TensorIo.toFloatTensor(r.get(0));
                noMask = TensorIo.toFloatTensor(r.get(1)).toArray();
            }
            LOG.log(System.Logger.Level.DEBUG, () -> String.format(
                    "built the %s graph (%d ops) in %d ms and uploaded %d tensors in %d ms (%s, %s)", architecture.name(),
                    countOps(graph), (t1 - t0) / 1_000_000, g.weights.tensorCount(), (t2 - t1) / 1_000_000,
                    config.device(), config.precision()));
            return new TfSamModel(architecture, config, graph, session, g, densePe, noMask);
        } catch (TensorFlowException e) {
            closeQuietly(session, graph);
            throw new BackendException(BackendException.Kind.RUNTIME,
                    "TensorFlow failed to build the " + architecture.name() + " network: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(session, graph);
            throw e;
        }
    }

    private static int countOps(Graph graph) {
        int n = 0;
        for (var it = graph.operations(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    private static void closeQuietly(Session session, Graph graph) {
        if (session != null) {
            session.close();
        }
        graph.close();
    }

    @Override
    public ModelArchitecture architecture() {
        return architecture;
    }

    @Override
    public ImageEncoder imageEncoder() {
        return imageEncoder;
    }

    @Override
    public PromptEncoder promptEncoder() {
        return promptEncoder;
    }

    @Override
    public MaskDecoder maskDecoder() {
        return maskDecoder;
    }

    /** The device and precision the model runs with. */
    RuntimeConfig config() {
        return config;
    }

    /** Number of images whose decoder side is cached. */
    int cachedImages() {
        return cache.size();
    }

    /** Calls running now (for tests). */
    int callsInFlight() {
        return guard.callsInFlight();
    }

    /** Native bytes held by the decoder cache. */
    long cacheBytes() {
        return cache.bytes();
    }

    /** The graph, for tests that inspect placement. */
    Graph graph() {
        return graph;
    }

    /** The session and graph endpoints, for the timing harness. */
    Session session() {
        return session;
    }

    SamGraph samGraph() {
        return g;
    }

    /** The cached decoder side of {@code image} (computed if absent), left acquired: for the timing harness only. */
    DecoderCache.Entry cacheEntryForHarness(ImageEmbedding image) {
        return withImage(image, entry -> {
            cache.acquire(image.id(), image.tensor());
            return entry;
        });
    }

    // ---------------------------------------------------------------- encoder

    private ImageEmbedding encode(ImageTensor image) {
        Objects.requireNonNull(image, "image");
        if (image.size() != architecture.imageSize()) {
            throw new IllegalArgumentException("the " + architecture.name() + " encoder takes a (1, 3, "
                    + architecture.imageSize() + ", " + architecture.imageSize() + ") input, got " + image.tensor());
        }
        return guard.call(() -> {
            Session.Runner runner = session.runner();
            try (TFloat32 in = TensorIo.floats(image.tensor())) {
                runner.feed(g.image, in).fetch(g.embedding).fetch(g.encoderTokens)
                        .fetch(g.encoderSide.src()).fetch(g.encoderSide.k0()).fetch(g.encoderSide.v0())
                        .fetch(g.encoderSide.q0());
                try (Result r = run(runner, "image encoder")) {
                    ImageEmbedding embedding = ImageEmbedding.of(TensorIo.toFloatTensor(r.get(0)));
                    cache.put(embedding.id(), new DecoderCache.Entry(embedding.tensor(), copy(r.get(1)), copy(r.get(2)),
                            copy(r.get(3)), copy(r.get(4)), copy(r.get(5))), false);
                    return embedding;
                }
            }
        });
    }

    /**
     * Runs the encoder and returns the named intermediate outputs (NHWC as the reference's forward hooks see
     * them): {@code patch_embed}, {@code block0}.. (ViT) or {@code layer0}.. (TinyViT, as (tokens, C)), and
     * {@code image_embeddings} (NCHW). For parity tests.
     */
    Map<String, FloatTensor> encodeIntermediates(ImageTensor image, List<String> names) {
        return guard.call(() -> {
            Session.Runner runner = session.runner();
            try (TFloat32 in = TensorIo.floats(image.tensor())) {
                runner.feed(g.image, in);
                for (String name : names) {
                    runner.fetch(intermediate(name));
                }
                try (Result r = run(runner, "image encoder")) {
                    Map<String, FloatTensor> out = new LinkedHashMap<>();
                    for (int i = 0; i < names.size(); i++) {
                        out.put(names.get(i), TensorIo.toFloatTensor(r.get(i)));
                    }
                    return out;
                }
            }
        });
    }

    private Operand<TFloat32> intermediate(String name) {
        if (name.equals("image_embeddings")) {
            return g.embedding;
        }
        if (g.vit.isPresent()) {
            ImageEncoderGraph vit = g.vit.get();
            if (name.equals("patch_embed")) {
                return vit.patchEmbed;
            }
            if (name.startsWith("block")) {
                return vit.blocks.get(Integer.parseInt(name.substring(5)));
            }
        }
        if (g.tinyVit.isPresent()) {
            TinyVitEncoderGraph tiny = g.tinyVit.get();
            if (name.equals("patch_embed")) {
                return tiny.patchEmbed;
            }
            if (name.startsWith("layer")) {
                return tiny.layers.get(Integer.parseInt(name.substring(5)));
            }
        }
        throw new IllegalArgumentException("no intermediate output named '" + name + "'");
    }

    // ---------------------------------------------------------------- prompt encoder

    private PromptEmbeddings encodePrompts(List<ModelPrompt> batch) {
        PromptBatch p = PromptBatch.of(batch);
        if (p.entries() == 0) {
            throw new IllegalArgumentException("a prompt with only a mask has no sparse embeddings, which "
                    + "PromptEmbeddings cannot hold; use SamModel.predict for mask-only prompts");
        }
        return guard.call(() -> {
            List<Tensor> fed = new ArrayList<>();
            try {
                Session.Runner runner = session.runner();
                feedPrompts(runner, p, fed);
                runner.fetch(g.prompt.sparse);
                if (p.hasMask()) {
                    runner.fetch(g.prompt.maskDense);
                }
                try (Result r = run(runner, "prompt encoder")) {
                    FloatTensor sparse = TensorIo.toFloatTensor(r.get(0));
                    FloatTensor dense = p.hasMask() ? TensorIo.toFloatTensor(r.get(1)) : noMaskDense(p.batch());
                    return new PromptEmbeddings(sparse, dense);
                }
            } finally {
                fed.forEach(Tensor::close);
            }
        });
    }

    private void feedPrompts(Session.Runner runner, PromptBatch p, List<Tensor> fed) {
        TFloat32 coords = TensorIo.floats(p.coords(), p.batch(), p.entries(), 2);
        fed.add(coords);
        TInt32 codes = TensorIo.ints(p.codes(), p.batch(), p.entries());
        fed.add(codes);
        runner.feed(g.prompt.coords, coords).feed(g.prompt.codes, codes);
        if (p.hasMask()) {
            TFloat32 masks = TensorIo.floats(p.masks(), p.batch(), 256, 256);
            fed.add(masks);
            runner.feed(g.prompt.maskInput, masks);
        }
    }

    /** no_mask_embed broadcast to (B, 256, 64, 64). */
    private FloatTensor noMaskDense(int batch) {
        int plane = 64 * 64;
        float[] values = new float[batch * 256 * plane];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < 256; c++) {
                java.util.Arrays.fill(values, (b * 256 + c) * plane, (b * 256 + c + 1) * plane, noMask[c]);
            }
        }
        return FloatTensor.wrap(new int[] {batch, 256, 64, 64}, values);
    }

    private boolean isNoMaskDense(FloatTensor dense) {
        int plane = 64 * 64;
        var buf = dense.buffer();
        int n = dense.size();
        for (int i = 0; i < n; i++) {
            if (Float.floatToRawIntBits(buf.get(i)) != Float.floatToRawIntBits(noMask[(i / plane) % 256])) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- decoder

    private MaskPrediction decode(ImageEmbedding image, PromptEmbeddings prompts, boolean multimask) {
        Objects.requireNonNull(image, "image embedding");
        Objects.requireNonNull(prompts, "prompt embeddings");
        int batch = prompts.batchSize();
        int n = prompts.sparse().dim(1);
        return guard.call(() -> withImage(image, entry -> {
            boolean noMaskPrompt = isNoMaskDense(prompts.dense());
            MaskDecoderGraph.Outputs out = noMaskPrompt ? g.decodeNoMask : g.decodeDense;
            List<MaskPrediction> parts = new ArrayList<>();
            for (int b0 = 0; b0 < batch; b0 += MAX_DECODER_BATCH) {
                int b = Math.min(MAX_DECODER_BATCH, batch - b0);
                try (TFloat32 sparse = TensorIo.floats(rows(prompts.sparse(), b0, b), b, n, 256);
                     TFloat32 dense = noMaskPrompt ? null : TensorIo.floats(rows(prompts.dense(), b0, b), b, 256, 64, 64)) {
                    Session.Runner runner = session.runner().feed(g.sparseFeed, sparse);
                    if (noMaskPrompt) {
                        feedCachedSide(runner, entry);
                    } else {
                        runner.feed(g.cachedTokens, entry.tokens).feed(g.denseFeed, dense);
                    }
                    parts.add(runDecoder(runner, out, multimask));
                }
            }
            return concat(parts);
        }));
    }

    /** Prompts [b0, b0 + count) of a batch-first tensor, as a buffer view. */
    private static java.nio.FloatBuffer rows(FloatTensor t, int b0, int count) {
        int per = t.size() / t.dim(0);
        return t.buffer().position(b0 * per).limit((b0 + count) * per).slice();
    }

    /** Joins per-chunk predictions along the batch. */
    private static MaskPrediction concat(List<MaskPrediction> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int batch = parts.stream().mapToInt(MaskPrediction::batchSize).sum();
        int masks = parts.get(0).masksPerPrompt();
        float[] logits = new float[batch * masks * MaskPrediction.LOW_RES * MaskPrediction.LOW_RES];
        float[] iou = new float[batch * masks];
        int at = 0;
        int atIou = 0;
        for (MaskPrediction p : parts) {
            p.logits().buffer().get(logits, at, p.logits().size());
            p.iou().buffer().get(iou, atIou, p.iou().size());
            at += p.logits().size();
            atIou += p.iou().size();
        }
        return new MaskPrediction(FloatTensor.wrap(new int[] {batch, masks, MaskPrediction.LOW_RES, MaskPrediction.LOW_RES}, logits),
                FloatTensor.wrap(new int[] {batch, masks}, iou));
    }

    @Override
    public MaskPrediction predict(ImageEmbedding image, List<ModelPrompt> batch, boolean multimask) {
        Objects.requireNonNull(image, "image embedding");
        PromptBatch.of(batch); // checks the whole batch before any work
        return guard.call(() -> withImage(image, entry -> {
            List<MaskPrediction> parts = new ArrayList<>();
            for (int b0 = 0; b0 < batch.size(); b0 += MAX_DECODER_BATCH) {
                PromptBatch p = PromptBatch.of(batch.subList(b0, Math.min(batch.size(), b0 + MAX_DECODER_BATCH)));
                List<Tensor> fed = new ArrayList<>();
                try {
                    Session.Runner runner = session.runner();
                    feedPrompts(runner, p, fed);
                    if (p.hasMask()) {
                        runner.feed(g.cachedTokens, entry.tokens);
                        parts.add(runDecoder(runner, g.predictMask, multimask));
                    } else {
                        feedCachedSide(runner, entry);
                        parts.add(runDecoder(runner, p.batch() == 1 ? g.predictNoMaskOne : g.predictNoMask, multimask));
                    }
                } finally {
                    fed.forEach(Tensor::close);
                }
            }
            return concat(parts);
        }));
    }

    private void feedCachedSide(Session.Runner runner, DecoderCache.Entry entry) {
        runner.feed(g.cachedSrc, entry.src).feed(g.cachedK0, entry.k0).feed(g.cachedV0, entry.v0)
                .feed(g.cachedQ0, entry.q0);
    }

    private MaskPrediction runDecoder(Session.Runner runner, MaskDecoderGraph.Outputs out, boolean multimask) {
        runner.fetch(multimask ? out.logitsMulti() : out.logitsSingle());
        runner.fetch(multimask ? out.iouMulti() : out.iouSingle());
        try (Result r = run(runner, "mask decoder")) {
            return new MaskPrediction(TensorIo.toFloatTensor(r.get(0)), TensorIo.toFloatTensor(r.get(1)));
        }
    }

    private interface WithEntry<T> {
        T apply(DecoderCache.Entry entry);
    }

    /** Runs {@code body} with the image's cached decoder side, computing it first on a cache miss. */
    private <T> T withImage(ImageEmbedding image, WithEntry<T> body) {
        DecoderCache.Entry entry = cache.acquire(image.id(), image.tensor());
        if (entry == null) {
            entry = cache.put(image.id(), prepare(image), true);
        }
        try {
            return body.apply(entry);
        } finally {
            cache.release(entry);
        }
    }

    private DecoderCache.Entry prepare(ImageEmbedding image) {
        try (TFloat32 in = TensorIo.floats(image.tensor())) {
            Session.Runner runner = session.runner().feed(g.embeddingFeed, in).fetch(g.embeddingFeedTokens)
                    .fetch(g.embeddingFeedSide.src()).fetch(g.embeddingFeedSide.k0())
                    .fetch(g.embeddingFeedSide.v0()).fetch(g.embeddingFeedSide.q0());
            try (Result r = run(runner, "mask decoder (image side)")) {
                return new DecoderCache.Entry(image.tensor(), copy(r.get(0)), copy(r.get(1)), copy(r.get(2)),
                        copy(r.get(3)), copy(r.get(4)));
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static Result run(Session.Runner runner, String what) {
        try {
            return runner.run();
        } catch (TensorFlowException e) {
            String msg = String.valueOf(e.getMessage());
            BackendException.Kind kind = msg.contains("OOM") || msg.contains("ResourceExhausted")
                    || e instanceof org.tensorflow.exceptions.TFResourceExhaustedException
                    ? BackendException.Kind.OUT_OF_MEMORY : BackendException.Kind.RUNTIME;
            throw new BackendException(kind, "TensorFlow failed running the " + what + ": " + msg, e);
        }
    }

    /** A copy of a result tensor that outlives its Result. */
    private static TFloat32 copy(Tensor t) {
        return TensorIo.copy(t);
    }

    /** Runs {@code action} once when this model closes (the backend forgets it then). */
    void onClose(Runnable action) {
        this.onClose = Objects.requireNonNull(action, "action");
    }

    /** Closes the model: waits for calls in flight, frees the decoder cache, the session and the graph. */
    @Override
    public void close() {
        guard.close(() -> {
            try {
                cache.close();
                session.close();
                graph.close();
            } finally {
                onClose.run();
            }
        });
    }
}
