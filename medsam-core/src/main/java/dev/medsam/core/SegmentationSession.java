package dev.medsam.core;

import dev.medsam.core.StageListener.Stage;
import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.ModelCheckpoint;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.internal.EmbeddingCache;
import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.internal.OriginalSizeMasks;
import dev.medsam.core.internal.PreparedImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendException;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.CallGuard;
import dev.medsam.core.spi.Device;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.SamModel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The main entry point: segments objects in 2D images with a MedSAM, LiteMedSAM or SAM model. The image encoder (the
 * expensive step, seconds per image) runs once per image; any number of prompts then cost one prompt encoder and
 * mask decoder pass each (milliseconds), several objects sharing one batched pass.
 *
 * <pre>{@code
 * try (SegmentationSession session = SegmentationSession.builder(Path.of("medsam_vit_b.pth")).threads(2).build()) {
 *     session.setImage(ctSlice);                                // CT: soft-tissue window by default
 *     Segmentation liver = session.segment(Prompts.of(new Box(95, 255, 190, 350)));
 *     BinaryMask mask = liver.binary();                          // at the slice's size
 * }
 * }</pre>
 *
 * <h2>Models and pipelines</h2>
 * The session reads the model kind from the checkpoint's tensors and uses its reference {@link Pipeline}
 * ({@link Pipeline#defaultFor}): {@link Pipeline#MEDSAM} for a ViT encoder (MedSAM; choose {@link Pipeline#SAM}
 * for plain SAM checkpoints), {@link Pipeline#LITE_MEDSAM} for LiteMedSAM's TinyViT (256x256 input, about 35
 * GMAC per image instead of ViT-B's 486). Prompts, results, caching and threads are the same for every model.
 *
 * <h2>Images</h2>
 * {@link #encode(MedicalImage, IntensityPreset)} brings the image to 8 bits with the preset (default: {@link
 * IntensityPreset#defaultFor(MedicalImage)}), preprocesses it with the session's {@link Pipeline} and runs the
 * encoder, unless the embedding is cached. The cache is least-recently-used, holds {@code cacheSize} embeddings
 * (about 4 MB each) and is keyed by a SHA-256 of the image's values and layout, the preset and the pipeline, or
 * by the caller's key; so returning to a slice does not re-encode it. For volumes, apply the preset to the
 * whole volume first (the reference takes its statistics over the volume), then encode planes with {@link
 * IntensityPreset#asIs()}.
 *
 * <h2>Prompts and results</h2>
 * Prompts are in the image's pixels ({@link Prompts}); each {@link Prompts} is one object. Objects whose
 * prompts have the same structure (number of points, box or not, mask or not) go through the decoder as one
 * batch. Each object's {@link Segmentation} carries its low-resolution logits, probability and binary masks at
 * the image's size, the predicted IoU, and the image embedding. With {@code multimask} the decoder proposes
 * three masks and {@link Segmentation#best()} picks the highest predicted IoU, as SAM does; without it (MedSAM's
 * way) there is one.
 *
 * <h2>Stage timings</h2>
 * A {@link StageListener} registered with {@link Builder#stageListener} hears how long each stage took: reading
 * the checkpoint, starting the backend, building the network, the preset, preprocessing, the encoder, each
 * decoder pass and its postprocessing. {@link #listenOnCurrentThread} adds a listener for one thread's calls, to
 * time one request among concurrent ones.
 *
 * <h2>Threads</h2>
 * Thread-safe: several threads may encode and prompt one session at once (the model is thread-safe; an image
 * requested by two threads at once is encoded once). {@link #setImage} / {@link #segment(Prompts)} work on the
 * session's <em>current</em> image, which is shared: threads working on different images should use the
 * {@link EncodedImage} that {@link #encode} returns with {@link #segment(EncodedImage, List, boolean)}.
 *
 * <h2>Lifecycle</h2>
 * {@link #close()} is idempotent, waits for calls in flight, and closes the model and backend the session
 * opened (a model handed to {@link #of(SamModel)} stays open: its owner closes it). Calls after close throw
 * {@link IllegalStateException}. The model owns native memory; results live on the Java heap and stay usable
 * after close.
 */
public final class SegmentationSession implements AutoCloseable {

    /** Embeddings cached by default. */
    public static final int DEFAULT_CACHE_SIZE = 16;

    private static final System.Logger LOG = System.getLogger(SegmentationSession.class.getName());

    private final SamModel model;
    private final List<AutoCloseable> owned;
    private final Pipeline pipeline;
    private final StageListener listener;
    private final EmbeddingCache<EncodedImage> cache;
    private final AtomicReference<EncodedImage> current = new AtomicReference<>();
    /** The listeners of the scopes open on each thread (innermost last), for per-request timings. */
    private final ThreadLocal<List<StageListener>> scoped = new ThreadLocal<>();
    private final CallGuard guard = new CallGuard("the segmentation session");

    private SegmentationSession(SamModel model, List<AutoCloseable> owned, Pipeline pipeline, int cacheSize,
                                StageListener listener) {
        this.model = model;
        this.owned = owned;
        this.pipeline = pipeline;
        this.listener = listener;
        this.cache = new EmbeddingCache<>(cacheSize);
    }

    /**
     * A builder for a session that loads {@code checkpoint} ({@code .pth} or safetensors) into a backend it
     * opens and owns.
     */
    public static Builder builder(Path checkpoint) {
        return new Builder(Objects.requireNonNull(checkpoint, "checkpoint"));
    }

    /**
     * A session over an already loaded model, with the model's reference pipeline ({@link Pipeline#defaultFor}:
     * MedSAM's for a ViT, LiteMedSAM's for TinyViT) and the default cache size. The session does not close the
     * model, so one model can serve several sessions.
     */
    public static SegmentationSession of(SamModel model) {
        Objects.requireNonNull(model, "model");
        return of(model, Pipeline.defaultFor(model.architecture()), DEFAULT_CACHE_SIZE);
    }

    /**
     * A session over an already loaded model (not closed by the session).
     *
     * @param cacheSize embeddings kept; 0 disables the cache
     * @throws IllegalArgumentException if {@code cacheSize} is negative, or {@code pipeline} prepares input of
     *                                  another size than the model takes (LiteMedSAM's on a ViT model, MedSAM's or
     *                                  SAM's on a LiteMedSAM model)
     */
    public static SegmentationSession of(SamModel model, Pipeline pipeline, int cacheSize) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(pipeline, "pipeline");
        requireFit(pipeline, model.architecture());
        return new SegmentationSession(model, List.of(), pipeline, cacheSize, StageListener.none());
    }

    /** The pipeline must prepare input of the size the model's encoder takes. */
    private static void requireFit(Pipeline pipeline, ModelArchitecture architecture) {
        if (!pipeline.fits(architecture)) {
            throw new IllegalArgumentException("the " + pipeline + " pipeline prepares a " + pipeline.inputSize() + "x"
                    + pipeline.inputSize() + " input, but the " + architecture.name() + " model takes "
                    + architecture.imageSize() + "x" + architecture.imageSize() + "; use "
                    + Pipeline.defaultFor(architecture) + " (the default for this model)");
        }
    }

    /** A session that closes {@code owned} (in order) when it closes; what {@link Builder#build()} makes. */
    static SegmentationSession owning(SamModel model, List<AutoCloseable> owned, Pipeline pipeline, int cacheSize) {
        return owning(model, owned, pipeline, cacheSize, StageListener.none());
    }

    /** As {@link #owning(SamModel, List, Pipeline, int)}, reporting stage timings to {@code listener}. */
    static SegmentationSession owning(SamModel model, List<AutoCloseable> owned, Pipeline pipeline, int cacheSize,
                                      StageListener listener) {
        return new SegmentationSession(model, List.copyOf(owned), pipeline, cacheSize, listener);
    }

    /** The pre- and postprocessing this session uses. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** The model's architecture ({@code vit_b}, {@code litemedsam}, ...). */
    public ModelArchitecture architecture() {
        enter();
        try {
            return model.architecture();
        } finally {
            exit();
        }
    }

    // ------------------------------------------------------------------------------------------------ images

    /** Encodes a 2D image with its default preset ({@link IntensityPreset#defaultFor}); see {@link #encode(MedicalImage, IntensityPreset)}. */
    public EncodedImage encode(MedicalImage image) {
        Objects.requireNonNull(image, "image");
        return encode(image, IntensityPreset.defaultFor(image));
    }

    /**
     * Brings a 2D image to 8 bits with {@code preset}, preprocesses it and runs the image encoder, or returns the
     * cached embedding of an identical earlier request.
     *
     * @throws IllegalArgumentException if the image is not 2D or the preset does not apply to it
     * @throws IllegalStateException    if the session is closed
     * @throws BackendException         if the encoder fails
     */
    public EncodedImage encode(MedicalImage image, IntensityPreset preset) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(preset, "preset");
        enter();
        try {
            String key = contentKey(image, preset);
            return cache.get(key, () -> compute(image, preset, key));
        } finally {
            exit();
        }
    }

    /**
     * As {@link #encode(MedicalImage, IntensityPreset)}, cached under the caller's {@code cacheKey} instead of a
     * content hash (cheaper for large images; the caller guarantees that equal keys mean equal images and
     * presets within this session).
     */
    public EncodedImage encode(MedicalImage image, IntensityPreset preset, String cacheKey) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(cacheKey, "cache key");
        enter();
        try {
            String key = "caller:" + cacheKey;
            return cache.get(key, () -> compute(image, preset, key));
        } finally {
            exit();
        }
    }

    private EncodedImage compute(MedicalImage image, IntensityPreset preset, String key) {
        long start = System.nanoTime();
        MedicalImage eightBit = preset.apply(image);
        start = report(Stage.PRESET, start);
        PreparedImage prepared = PreparedImage.of(pipeline, eightBit);
        start = report(Stage.PREPROCESS, start);
        ImageEmbedding embedding = model.imageEncoder().encode(prepared.tensor());
        long encoded = start;
        report(Stage.ENCODER, start);
        LOG.log(System.Logger.Level.DEBUG, () -> "encoded " + image + " (" + preset.name() + ") in "
                + (System.nanoTime() - encoded) / 1_000_000 + " ms");
        return new EncodedImage(embedding, prepared.frame(), key);
    }

    /**
     * Runs the image encoder alone on an input that is already preprocessed (for parity checks against a
     * reference's own preprocessing, and for timing the network by itself): no preset, no pipeline, no cache.
     * Reports {@link StageListener.Stage#ENCODER}.
     *
     * @param input the network input, (1, 3, 1024, 1024) in the model frame, as the pipeline would make it
     * @return the (1, 256, 64, 64) embedding, on the Java heap
     * @throws IllegalStateException if the session is closed
     * @throws BackendException      if the encoder fails
     */
    public ImageEmbedding encodeInput(ImageTensor input) {
        Objects.requireNonNull(input, "input");
        enter();
        try {
            long start = System.nanoTime();
            ImageEmbedding embedding = model.imageEncoder().encode(input);
            report(Stage.ENCODER, start);
            return embedding;
        } finally {
            exit();
        }
    }

    /** Tells the listeners that {@code stage} ran from {@code start} until now; returns now. */
    private long report(Stage stage, long start) {
        long now = System.nanoTime();
        Duration took = Duration.ofNanos(Math.max(0, now - start));
        listener.stageCompleted(stage, took);
        List<StageListener> own = scoped.get();
        if (own != null) {
            for (StageListener l : own) {
                l.stageCompleted(stage, took);
            }
        }
        return now;
    }

    /**
     * Reports the stages that the calling thread runs in this session to {@code listener} too (besides the
     * builder's listener), until the returned scope is closed; stages that other threads run are not reported to
     * it. This times one request on a session shared by concurrent requests, such as a server's. Scopes nest: an
     * inner scope's listener and the outer ones all hear the stages run while it is open. See
     * {@link StageListener} for what is reported.
     *
     * @return the scope; close it on this thread, innermost first (try-with-resources)
     * @throws IllegalStateException if the session is closed
     */
    public StageListener.Scope listenOnCurrentThread(StageListener listener) {
        Objects.requireNonNull(listener, "stage listener");
        if (guard.isClosed()) {
            throw new IllegalStateException("the segmentation session is closed");
        }
        List<StageListener> before = scoped.get();
        List<StageListener> open = new ArrayList<>(before == null ? List.of() : before);
        open.add(listener);
        List<StageListener> mine = List.copyOf(open);
        scoped.set(mine);
        return new StageListener.Scope(Thread.currentThread(), () -> {
            if (scoped.get() != mine) {
                throw new IllegalStateException("a stage listener scope was closed while a scope opened after it on"
                        + " the same thread is still open; close scopes innermost first");
            }
            if (before == null) {
                scoped.remove();
            } else {
                scoped.set(before);
            }
        });
    }

    /**
     * An image encoded elsewhere: wraps the embedding of a {@code width} x {@code height} image (a reference
     * implementation's, or one saved by {@code medsam segment --save-embedding}) as an {@link EncodedImage} of this
     * session's pipeline, to prompt with {@link #segment(EncodedImage, List, boolean)} or {@link
     * #setImage(EncodedImage)}. Runs nothing and caches nothing; the caller vouches that the embedding belongs to
     * an image of that size preprocessed with this pipeline.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public EncodedImage encoded(ImageEmbedding embedding, int width, int height) {
        Objects.requireNonNull(embedding, "embedding");
        return new EncodedImage(embedding, ModelFrame.of(pipeline, width, height),
                "external:" + width + "x" + height + "@" + Integer.toHexString(System.identityHashCode(embedding)));
    }

    /** {@link #encode(MedicalImage)} and make the result the current image. */
    public EncodedImage setImage(MedicalImage image) {
        return makeCurrent(encode(image));
    }

    /** {@link #encode(MedicalImage, IntensityPreset)} and make the result the current image. */
    public EncodedImage setImage(MedicalImage image, IntensityPreset preset) {
        return makeCurrent(encode(image, preset));
    }

    /** {@link #encode(MedicalImage, IntensityPreset, String)} and make the result the current image. */
    public EncodedImage setImage(MedicalImage image, IntensityPreset preset, String cacheKey) {
        return makeCurrent(encode(image, preset, cacheKey));
    }

    /** Makes an image encoded earlier (by this session) the current image. */
    public EncodedImage setImage(EncodedImage image) {
        requireOwnPipeline(Objects.requireNonNull(image, "image"));
        return makeCurrent(image);
    }

    private EncodedImage makeCurrent(EncodedImage image) {
        enter();
        try {
            current.set(image);
            return image;
        } finally {
            exit();
        }
    }

    /** The current image, if one was set. */
    public Optional<EncodedImage> currentImage() {
        return Optional.ofNullable(current.get());
    }

    /** Whether an embedding is cached under the key of {@code image} with {@code preset}. */
    public boolean isCached(MedicalImage image, IntensityPreset preset) {
        return cache.contains(contentKey(image, preset));
    }

    /** Embeddings held in the cache. */
    public int cachedImages() {
        return cache.size();
    }

    /** Drops every cached embedding (the current image stays usable). */
    public void clearCache() {
        cache.clear();
    }

    // ------------------------------------------------------------------------------------------------ prompts

    /**
     * Segments one object in the current image (single-mask output, MedSAM's way).
     *
     * @throws IllegalStateException    if no image was set or the session is closed
     * @throws IllegalArgumentException if a box lies wholly outside the image
     */
    public Segmentation segment(Prompts object) {
        return segment(List.of(Objects.requireNonNull(object, "prompts"))).get(0);
    }

    /** Segments several objects in the current image, single-mask output; results in the order given. */
    public List<Segmentation> segment(List<Prompts> objects) {
        return segment(objects, false);
    }

    /** Segments several objects in the current image; with {@code multimask} each gets three candidates. */
    public List<Segmentation> segment(List<Prompts> objects, boolean multimask) {
        if (guard.isClosed()) {
            // close() forgets the current image: say why it is gone rather than "no current image"
            throw new IllegalStateException("the segmentation session is closed");
        }
        EncodedImage image = current.get();
        if (image == null) {
            throw new IllegalStateException("no current image: call setImage(...) first, or pass an EncodedImage");
        }
        return segment(image, objects, multimask);
    }

    /**
     * Segments several objects in an encoded image. Objects with same-structure prompts are decoded in one
     * batch; the results come back in the order given.
     *
     * @param multimask {@code false}: one mask per object (what MedSAM does); {@code true}: three candidates
     *                  each, {@link Segmentation#best()} choosing by predicted IoU
     * @throws IllegalArgumentException if the list is empty, a box lies wholly outside the image, or the image
     *                                  was encoded with another pipeline; messages number objects from 1
     *                                  ("object 2: ..." is {@code objects.get(1)}), as labels and the command
     *                                  line do
     * @throws IllegalStateException    if the session is closed
     * @throws BackendException         if the decoder fails
     */
    public List<Segmentation> segment(EncodedImage image, List<Prompts> objects, boolean multimask) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(objects, "objects");
        if (objects.isEmpty()) {
            throw new IllegalArgumentException("no objects to segment: pass at least one Prompts");
        }
        requireOwnPipeline(image);
        ModelFrame frame = image.frame();
        int n = objects.size();
        ModelPrompt[] mapped = new ModelPrompt[n];
        for (int i = 0; i < n; i++) {
            // objects are numbered from 1 in messages, as their labels and the command line number them
            Prompts p = Objects.requireNonNull(objects.get(i), "prompts of object " + (i + 1));
            try {
                mapped[i] = frame.toModel(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("object " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return decode(image, objects, mapped, multimask);
    }

    /**
     * Segments objects whose prompts are already in the network's frame ({@link ModelPrompt}: 1024x1024 for
     * MedSAM and SAM, 256x256 for LiteMedSAM), for protocols that are defined in that frame: LiteMedSAM's 3D
     * propagation boxes the previous slice's mask after resizing it into the 256 frame, and mapping such a box
     * back to pixels and forward again would not always give the same integers. Most callers want
     * {@link #segment(EncodedImage, List, boolean)}. Each result's {@link Segmentation#prompts()} is the prompt
     * mapped back to the image's pixels.
     *
     * @throws IllegalArgumentException if the list is empty, the image was encoded with another pipeline, or a box
     *                                  is collapsed (x1 <= x0 or y1 <= y0; the message names the object and box)
     * @throws IllegalStateException    if the session is closed
     * @throws BackendException         if the decoder fails
     */
    public List<Segmentation> segmentInModelFrame(EncodedImage image, List<ModelPrompt> prompts, boolean multimask) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(prompts, "prompts");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no objects to segment: pass at least one ModelPrompt");
        }
        requireOwnPipeline(image);
        ModelPrompt[] mapped = new ModelPrompt[prompts.size()];
        List<Prompts> originals = new ArrayList<>(prompts.size());
        for (int i = 0; i < mapped.length; i++) {
            mapped[i] = Objects.requireNonNull(prompts.get(i), "prompt of object " + (i + 1));
            try {
                originals.add(image.frame().toOriginal(mapped[i]));
            } catch (IllegalArgumentException e) {
                // a box whose corners coincide (a collapsed box) has no Box in pixels: say which object it was
                throw new IllegalArgumentException("object " + (i + 1) + ": frame box "
                        + mapped[i].box().map(java.util.Arrays::toString).orElse("(none)") + ": " + e.getMessage(), e);
            }
        }
        return decode(image, originals, mapped, multimask);
    }

    /** Decodes {@code mapped} (frame prompts of {@code objects}) in same-structure batches and postprocesses. */
    private List<Segmentation> decode(EncodedImage image, List<Prompts> objects, ModelPrompt[] mapped,
                                      boolean multimask) {
        ModelFrame frame = image.frame();
        int n = mapped.length;
        enter();
        try {
            Segmentation[] results = new Segmentation[n];
            for (List<Integer> group : groupByStructure(mapped)) {
                List<ModelPrompt> batch = new ArrayList<>(group.size());
                for (int i : group) {
                    batch.add(mapped[i]);
                }
                long start = System.nanoTime();
                MaskPrediction prediction = model.predict(image.embedding(), batch, multimask);
                start = report(Stage.DECODER, start);
                int expectedMasks = multimask ? 3 : 1;
                if (prediction.batchSize() != batch.size() || prediction.masksPerPrompt() != expectedMasks) {
                    throw new BackendException(BackendException.Kind.RUNTIME, "the backend returned "
                            + prediction.batchSize() + " x " + prediction.masksPerPrompt() + " masks for "
                            + batch.size() + " prompts (expected " + expectedMasks + " each)");
                }
                for (int b = 0; b < group.size(); b++) {
                    List<MaskCandidate> candidates = new ArrayList<>(expectedMasks);
                    for (int c = 0; c < expectedMasks; c++) {
                        MaskLogits lowRes = ModelFrame.lowResLogits(prediction, b, c);
                        OriginalSizeMasks masks = frame.postprocess(lowRes);
                        candidates.add(new MaskCandidate(lowRes, masks.probability(), masks.binary(),
                                prediction.iou(b, c)));
                    }
                    int index = group.get(b);
                    results[index] = new Segmentation(objects.get(index), candidates, image);
                }
                report(Stage.POSTPROCESS, start);
            }
            return List.of(results);
        } finally {
            exit();
        }
    }

    /** Indices of same-structure prompts, groups in order of first appearance, indices ascending. */
    static List<List<Integer>> groupByStructure(ModelPrompt[] prompts) {
        List<List<Integer>> groups = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) {
            List<Integer> home = null;
            for (List<Integer> g : groups) {
                if (prompts[g.get(0)].sameStructureAs(prompts[i])) {
                    home = g;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                groups.add(home);
            }
            home.add(i);
        }
        return groups;
    }

    private void requireOwnPipeline(EncodedImage image) {
        if (image.frame().pipeline() != pipeline) {
            throw new IllegalArgumentException("the image was encoded with the " + image.frame().pipeline()
                    + " pipeline; this session uses " + pipeline);
        }
    }

    // ------------------------------------------------------------------------------------------------ keys

    private String contentKey(MedicalImage image, IntensityPreset preset) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        String layout = pipeline + "|" + preset + "|" + image.dataType() + "|" + Arrays.toString(image.dims()) + "|"
                + image.components() + "|" + image.rescale() + "|" + image.modality().orElse("");
        sha.update(layout.getBytes(StandardCharsets.UTF_8));
        sha.update(image.data());
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    private void enter() {
        guard.enter();
    }

    private void exit() {
        guard.exit();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Waits for calls in flight, then closes the model and backend this session opened. Idempotent; never
     * throws a checked exception (failures closing native resources are logged).
     */
    @Override
    public void close() {
        guard.close(() -> {
            cache.clear();
            current.set(null);
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "closing " + c + " failed", e);
                }
            }
        });
    }

    @Override
    public String toString() {
        return "SegmentationSession[" + pipeline + (guard.isClosed() ? ", closed" : "") + "]";
    }

    /**
     * Settings for a session that loads a checkpoint. Defaults: backend chosen by {@link Backends} (explicit name,
     * then {@code -Dmedsam.backend}, then priority), CPU, backend's thread count, the checkpoint's reference
     * pipeline ({@link Pipeline#defaultFor}), cache of
     * {@value SegmentationSession#DEFAULT_CACHE_SIZE} embeddings.
     */
    public static final class Builder {
        private final Path checkpoint;
        private Optional<String> backend = Optional.empty();
        private Device device = Device.CPU;
        private int threads;
        private Optional<Pipeline> pipeline = Optional.empty();
        private int cacheSize = DEFAULT_CACHE_SIZE;
        private StageListener listener = StageListener.none();
        private final Map<String, String> backendOptions = new LinkedHashMap<>();

        private Builder(Path checkpoint) {
            this.checkpoint = checkpoint;
        }

        /** The backend provider to use by name, e.g. {@code tensorflow}. */
        public Builder backend(String name) {
            this.backend = Optional.of(Objects.requireNonNull(name, "backend name"));
            return this;
        }

        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /**
         * Threads inside one network operation; 0 lets the backend choose.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder threads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be 0 (backend default) or positive, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * Overrides the pipeline read from the checkpoint: {@link Pipeline#SAM} for plain SAM checkpoints (which look
         * like MedSAM's). {@link #build()} refuses a pipeline for another input size than the model's
         * (LiteMedSAM's on a ViT model, MedSAM's or SAM's on LiteMedSAM) with an {@link IllegalArgumentException}.
         */
        public Builder pipeline(Pipeline pipeline) {
            this.pipeline = Optional.of(Objects.requireNonNull(pipeline, "pipeline"));
            return this;
        }

        /**
         * Embeddings kept in the cache; 0 disables it.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder cacheSize(int cacheSize) {
            if (cacheSize < 0) {
                throw new IllegalArgumentException("cache size must be 0 or more, got " + cacheSize);
            }
            this.cacheSize = cacheSize;
            return this;
        }

        /**
         * Hears the time of every stage, from reading the checkpoint in {@link #build()} to each decoder pass;
         * see {@link StageListener} for threading and cost. Replaces an earlier listener.
         */
        public Builder stageListener(StageListener listener) {
            this.listener = Objects.requireNonNull(listener, "stage listener");
            return this;
        }

        /**
         * A backend-specific setting, passed to the backend as a {@link BackendOptions} extra; the TensorFlow
         * backend knows {@code precision} ({@code fp32}, the default, or the approximate, faster {@code bf16}) and
         * {@code decoder.cache}. A backend logs a warning for keys it does not know and refuses bad values when the
         * session is built. Setting a key again replaces its value.
         *
         * @throws IllegalArgumentException if the key is blank
         */
        public Builder backendOption(String key, String value) {
            Objects.requireNonNull(key, "backend option key");
            Objects.requireNonNull(value, "value of backend option " + key);
            if (key.isBlank()) {
                throw new IllegalArgumentException("backend option key is blank");
            }
            backendOptions.put(key, value);
            return this;
        }

        /**
         * Reads the checkpoint, opens the backend and builds the network.
         *
         * @throws IOException              if the checkpoint cannot be read or is not a SAM, MedSAM or LiteMedSAM
         *                                  model ({@link dev.medsam.core.checkpoint.CheckpointException} names the
         *                                  file and key)
         * @throws IllegalArgumentException if the pipeline set with {@link #pipeline} does not fit the model
         * @throws BackendException         if no backend starts or the weights do not fit it
         */
        public SegmentationSession build() throws IOException {
            long start = System.nanoTime();
            ModelCheckpoint loaded = ModelCheckpoint.load(checkpoint);
            start = lap(Stage.CHECKPOINT, start);
            Pipeline chosen = pipeline.orElse(Pipeline.defaultFor(loaded.architecture()));
            try {
                requireFit(chosen, loaded.architecture());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(checkpoint + ": " + e.getMessage(), e);
            }
            BackendOptions.Builder options = BackendOptions.builder().device(device).intraOpThreads(threads);
            backendOptions.forEach(options::extra);
            BackendOptions settings = options.build();
            Backend opened = backend.isPresent() ? Backends.open(backend.get(), settings) : Backends.open(settings);
            try {
                start = lap(Stage.BACKEND, start);
                SamModel model = opened.load(loaded.architecture(), loaded.weights());
                try {
                    lap(Stage.NETWORK, start);
                } catch (RuntimeException | Error e) {
                    model.close();
                    throw e;
                }
                LOG.log(System.Logger.Level.INFO, "loaded {0} ({1}) on {2}", checkpoint,
                        loaded.architecture().name(), opened.name());
                return owning(model, List.of(model, opened), chosen, cacheSize, listener);
            } catch (RuntimeException | Error e) {
                try {
                    opened.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        private long lap(Stage stage, long start) {
            long now = System.nanoTime();
            listener.stageCompleted(stage, Duration.ofNanos(Math.max(0, now - start)));
            return now;
        }
    }
}
