package dev.medsam.core.testing;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.checkpoint.TensorData;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.BackendProvider;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageEncoder;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.MaskDecoder;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEncoder;
import dev.medsam.core.spi.SamModel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * The highest-priority real backend (TensorFlow in this project) with its networks shared across the tests of one
 * test JVM. It is not registered in this test-jar: a module whose tests want it names it in its own
 * src/test/resources/META-INF/services/dev.medsam.core.spi.BackendProvider (medsam-examples, medsam-server), so that
 * the backends' own tests, whose subject is building, closing and encoding, never see it.
 *
 * <p>Why: those modules' tests run the commands, example programs and servers as a user would, and each run reads a
 * checkpoint and builds its network. With the tiny fixture checkpoint that build and the network's first decoder
 * call cost about 1 s, more than the segmentation itself, and the examples' tests made about a hundred of them.
 * The network a checkpoint gives is a function of its architecture, its weights and the backend options, so a run
 * that asks for the same three gets the network built by the first such run. Likewise the image encoder is a
 * function of its input tensor, and the tests encode the same few fixture images again and again (about 110
 * encodes of 15 distinct inputs in the examples, 0.4 s each): a shared network keeps the embeddings of its last
 * {@value #EMBEDDINGS_KEPT} inputs, compared value by value. Everything else is what a user's run does: the
 * checkpoint is read, checked and its weights compared (a CRC-32C of every tensor); the session with its own cache,
 * the pipeline, prompt encoding, mask decoding, postprocessing and writing are the run's own.
 *
 * <p>Same name as the real provider and a priority one above it, so both "first by priority" and a lookup by name
 * ({@code --backend tensorflow}) find it. A model handed out here is a view: closing it ends the view (calls after
 * close throw, as on a real model) and leaves the shared network to the JVM's exit.
 */
public final class SharedNetworks implements BackendProvider {

    private static final Map<String, Backend> BACKENDS = new ConcurrentHashMap<>();
    private static final Map<String, SharedNetwork> NETWORKS = new ConcurrentHashMap<>();
    /** Embeddings kept per shared network (about 16 MB each with their 1024 x 1024 input). */
    public static final int EMBEDDINGS_KEPT = 16;

    private static final AtomicInteger BUILT = new AtomicInteger();
    private static final AtomicInteger ENCODED = new AtomicInteger();
    private static final AtomicInteger ENCODE_ALWAYS = new AtomicInteger();
    private static final BackendProvider REAL = findReal();

    /** The real provider's name. */
    @Override
    public String name() {
        return delegate().name();
    }

    /** Above the real provider's. */
    @Override
    public int priority() {
        return delegate().priority() + 1;
    }

    @Override
    public Backend open(BackendOptions options) {
        Objects.requireNonNull(options, "options");
        // One real backend per distinct options, opened for the JVM; the opening itself is cheap after the first.
        Backend real = BACKENDS.computeIfAbsent(networkOptions(options), k -> delegate().open(options));
        return new SharedBackend(real);
    }

    /** How many networks this JVM has built through this provider (for the test that proves the sharing). */
    public static int networksBuilt() {
        return BUILT.get();
    }

    /**
     * Until the returned scope is closed, every encode runs the encoder, for a test that measures it (tests of one
     * JVM run one after another, so the switch is global).
     */
    public static AutoCloseable encodeEveryInput() {
        ENCODE_ALWAYS.incrementAndGet();
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                ENCODE_ALWAYS.decrementAndGet();
            }
        };
    }

    /** How many times this JVM has run an image encoder through this provider. */
    public static int encoderRuns() {
        return ENCODED.get();
    }

    private static BackendProvider delegate() {
        return REAL;
    }

    /** The real provider this one stands in front of: the highest-priority other provider on the class path. */
    private static BackendProvider findReal() {
        BackendProvider best = null;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, SharedNetworks.class.getClassLoader())) {
            if (!(p instanceof SharedNetworks) && (best == null || p.priority() > best.priority())) {
                best = p;
            }
        }
        if (best == null) {
            throw new IllegalStateException("SharedNetworks is registered, but no real backend is on the class path");
        }
        return best;
    }

    /**
     * The options that make a different network: all but the intra-op thread count, which TensorFlow takes from the
     * first session of the process for every later one (see TensorFlowBackendProvider), so that runs with and
     * without {@code --threads 2} get the same network and embeddings.
     */
    public static String networkOptions(BackendOptions options) {
        return options.toBuilder().intraOpThreads(0).build().toString();
    }

    /** Architecture, tensor names, shapes and a CRC-32C of every value: equal weights give equal keys. */
    public static String weightsKey(ModelArchitecture architecture, StateDict weights) {
        CRC32C crc = new CRC32C();
        for (TensorData t : weights.tensors()) {
            crc.update(t.name().getBytes(StandardCharsets.UTF_8));
            for (int d : t.shape()) {
                crc.update(d);
            }
            FloatBuffer values = t.values().duplicate();
            ByteBuffer bytes = ByteBuffer.allocate(4 * values.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            crc.update(bytes);
        }
        return architecture.name() + "|" + weights.size() + "|" + Long.toHexString(crc.getValue());
    }

    private record SharedBackend(Backend real) implements Backend {
        @Override
        public String name() {
            return real.name();
        }

        @Override
        public BackendOptions options() {
            return real.options();
        }

        @Override
        public SamModel load(ModelArchitecture architecture, StateDict weights) {
            String key = networkOptions(real.options()) + "|" + weightsKey(architecture, weights);
            SharedNetwork network = NETWORKS.get(key);
            if (network == null) {
                synchronized (NETWORKS) {
                    network = NETWORKS.get(key);
                    if (network == null) {
                        // a failure is the run's, and nothing is kept
                        network = new SharedNetwork(real.load(architecture, weights));
                        NETWORKS.put(key, network);
                        BUILT.incrementAndGet();
                    }
                }
            }
            return new ModelView(network);
        }

        @Override
        public void close() {
            // the real backend stays open for the next run with these options
        }
    }

    /** A built network and the embeddings of the inputs it encoded last. */
    private static final class SharedNetwork {
        final SamModel model;
        private final Map<FloatTensor, ImageEmbedding> embeddings = new LinkedHashMap<>(32, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FloatTensor, ImageEmbedding> eldest) {
                return size() > EMBEDDINGS_KEPT;
            }
        };

        SharedNetwork(SamModel model) {
            this.model = model;
        }

        ImageEmbedding encode(ImageTensor input) {
            if (ENCODE_ALWAYS.get() == 0) {
                synchronized (embeddings) {
                    ImageEmbedding kept = embeddings.get(input.tensor()); // FloatTensor compares shape and values
                    if (kept != null) {
                        return kept;
                    }
                }
            }
            ImageEmbedding computed = model.imageEncoder().encode(input);
            ENCODED.incrementAndGet();
            synchronized (embeddings) {
                embeddings.put(input.tensor(), computed);
            }
            return computed;
        }
    }

    private static final class ModelView implements SamModel {
        private final SharedNetwork shared;
        private final SamModel network;
        private final AtomicBoolean closed = new AtomicBoolean();

        ModelView(SharedNetwork shared) {
            this.shared = shared;
            this.network = shared.model;
        }

        private SamModel open() {
            if (closed.get()) {
                throw new IllegalStateException("the model is closed");
            }
            return network;
        }

        @Override
        public ModelArchitecture architecture() {
            return network.architecture();
        }

        @Override
        public ImageEncoder imageEncoder() {
            return image -> {
                open();
                return shared.encode(image);
            };
        }

        @Override
        public PromptEncoder promptEncoder() {
            PromptEncoder real = network.promptEncoder();
            return new PromptEncoder() {
                @Override
                public dev.medsam.core.spi.PromptEmbeddings encode(List<ModelPrompt> batch) {
                    open();
                    return real.encode(batch);
                }

                @Override
                public dev.medsam.core.spi.FloatTensor densePositionalEncoding() {
                    open();
                    return real.densePositionalEncoding();
                }
            };
        }

        @Override
        public MaskDecoder maskDecoder() {
            return (image, prompts, multimask) -> open().maskDecoder().decode(image, prompts, multimask);
        }

        @Override
        public MaskPrediction predict(ImageEmbedding image, List<ModelPrompt> batch, boolean multimask) {
            return open().predict(image, batch, multimask);
        }

        @Override
        public void close() {
            closed.set(true);
        }

        @Override
        public String toString() {
            return network.toString();
        }
    }
}
