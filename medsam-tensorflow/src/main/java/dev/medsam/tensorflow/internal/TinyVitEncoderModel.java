package dev.medsam.tensorflow.internal;

import dev.medsam.core.BackendException;
import dev.medsam.core.FloatTensor;
import dev.medsam.core.checkpoint.TinyVitArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * LiteMedSAM's TinyViT encoder loaded into its own TensorFlow graph and session: (1, 3, 256, 256) image in,
 * (1, 256, 64, 64) embedding out. Owns its native graph and session until {@link #close()}. {@link #encode} may
 * be called from several threads (TensorFlow sessions run concurrently); closing while a call runs is not
 * allowed.
 */
final class TinyVitEncoderModel implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TinyVitEncoderModel.class.getName());

    private final TinyVitArchitecture architecture;
    private final Graph graph;
    private final Session session;
    private final TinyVitEncoderGraph encoder;

    private TinyVitEncoderModel(TinyVitArchitecture architecture, Graph graph, Session session,
                                TinyVitEncoderGraph encoder) {
        this.architecture = architecture;
        this.graph = graph;
        this.session = session;
        this.encoder = encoder;
    }

    /**
     * Builds the encoder graph, checks {@code weights} against it, uploads them and folds the BatchNorms.
     *
     * @throws BackendException INCOMPATIBLE_MODEL if the weights do not fit, RUNTIME if TensorFlow fails
     */
    static TinyVitEncoderModel load(TinyVitArchitecture architecture, StateDict weights, ConfigProto config) {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(weights, "weights");
        long t0 = System.nanoTime();
        Graph graph = new Graph();
        Session session = null;
        try {
            Ops tf = Ops.create(graph);
            WeightStore store = new WeightStore(tf);
            TinyVitEncoderGraph g;
            try {
                g = new TinyVitEncoderGraph(new Nn(tf, Precision.FP32, false), store, architecture);
            } catch (IllegalArgumentException e) {
                throw new BackendException(BackendException.Kind.INCOMPATIBLE_MODEL, e.getMessage(), e);
            }
            store.validate(weights, architecture.name());
            session = new Session(graph, config);
            store.upload(session, weights);
            LOG.log(System.Logger.Level.DEBUG, () -> String.format("built and loaded the %s encoder in %d ms",
                    architecture.name(), (System.nanoTime() - t0) / 1_000_000));
            return new TinyVitEncoderModel(architecture, graph, session, g);
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
    FloatTensor encode(FloatTensor image) {
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
        session.close();
        graph.close();
    }
}
