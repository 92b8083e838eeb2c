package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendException;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.CallGuard;
import dev.medsam.core.spi.Device;
import dev.medsam.core.spi.SamModel;
import org.tensorflow.DeviceSpec;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The started TensorFlow backend: the native runtime is loaded and the device chosen. Builds {@link TfSamModel}s.
 * Thread-safe. Closing it closes every model it built that is still open.
 */
public final class TfBackend implements Backend {

    /** Backend option: images whose decoder side each model keeps (default {@value #DEFAULT_CACHE}). */
    public static final String CACHE_OPTION = "decoder.cache";
    static final int DEFAULT_CACHE = 4;
    /**
     * Inter-op threads when the options leave it to the backend. The network is a chain of large operations, each
     * already spread over the intra-op threads, so one inter-op thread avoids running two of them on the same
     * cores at once. It is also the setting the benchmarks publish. TensorFlow's own default (one per core) was
     * not faster: ViT-B encoder medians 7.1 s against 6.7 s with one thread, over four runs each on 2 cores
     * (EncoderBenchmark, benchmarks/README.md), a difference within that machine's run-to-run spread.
     */
    static final int DEFAULT_INTER_OP_THREADS = 1;
    private static final Set<String> KNOWN_OPTIONS = Set.of(Precision.OPTION, CACHE_OPTION);
    private static final DeviceSpec GPU0 = DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.GPU).deviceIndex(0).build();
    private static final System.Logger LOG = System.getLogger(TfBackend.class.getName());

    private final String name;
    private final BackendOptions options;
    private final RuntimeConfig config;
    private final CallGuard guard = new CallGuard("the TensorFlow backend");
    private final List<TfSamModel> models = new ArrayList<>();

    private TfBackend(String name, BackendOptions options, RuntimeConfig config) {
        this.name = name;
        this.options = options;
        this.config = config;
    }

    /**
     * Loads TensorFlow and resolves the device.
     *
     * @throws BackendException UNAVAILABLE if the native library does not load, DEVICE if a GPU was required and
     *                          none is usable
     * @throws IllegalArgumentException for an invalid backend option value
     */
    public static TfBackend open(String name, BackendOptions options) {
        return open(name, options, false);
    }

    /**
     * As {@link #open(String, BackendOptions)}; with {@code gpuPlacementWithSoftFallback} the graph is pinned to
     * /GPU:0 with soft placement even without a GPU, so that the GPU code path can be exercised on a CPU.
     */
    static TfBackend open(String name, BackendOptions options, boolean gpuPlacementWithSoftFallback) {
        Objects.requireNonNull(options, "options");
        Precision precision = options.extra(Precision.OPTION).map(Precision::parse).orElse(Precision.FP32);
        int cacheSize = options.extra(CACHE_OPTION).map(v -> parseCacheSize(v)).orElse(DEFAULT_CACHE);
        for (String key : options.extras().keySet()) {
            if (!KNOWN_OPTIONS.contains(key)) {
                LOG.log(System.Logger.Level.WARNING, "ignoring unknown TensorFlow backend option '" + key
                        + "' (known: " + KNOWN_OPTIONS + ")");
            }
        }
        String version = loadNative();
        // TensorFlow sizes its process-wide thread pools from the first session it creates (per-session pools,
        // use_per_session_threads, ran the encoder on one core here); so the probes below use these settings too.
        int interOp = options.interOpThreads() == 0 ? DEFAULT_INTER_OP_THREADS : options.interOpThreads();
        ConfigProto.Builder proto = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(options.intraOpThreads())
                .setInterOpParallelismThreads(interOp);
        ConfigProto probeConfig = proto.build();
        Device device = gpuPlacementWithSoftFallback ? Device.GPU : resolveDevice(options.device(), probeConfig);
        DeviceSpec placement = null;
        if (device == Device.GPU) {
            placement = GPU0;
            // Some ops (int32 shape arithmetic, gathers on small tables) have no GPU kernel: let them run on the CPU.
            proto.setAllowSoftPlacement(true).setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
        }
        // The fused LayerNorm is a oneDNN CPU kernel: on a GPU the composite form keeps the work on the device.
        boolean fusedLayerNorm = device == Device.CPU && Kernels.fusedLayerNormAvailable(probeConfig);
        RuntimeConfig config = new RuntimeConfig(device, placement, proto.build(), precision, cacheSize, fusedLayerNorm);
        LOG.log(System.Logger.Level.INFO, "TensorFlow " + version + " backend on " + device
                + (options.device() == Device.AUTO ? " (requested AUTO)" : "") + ", " + precision + ", intra-op threads "
                + threads(options.intraOpThreads()) + ", inter-op threads " + interOp);
        return new TfBackend(name, options, config);
    }

    private static String threads(int n) {
        return n == 0 ? "default" : Integer.toString(n);
    }

    private static int parseCacheSize(String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("backend option " + CACHE_OPTION + "=" + v + " must be a positive integer");
    }

    private static String loadNative() {
        try {
            return TensorFlow.version();
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new BackendException(BackendException.Kind.UNAVAILABLE, "the TensorFlow native library did not load ("
                    + e + "); add org.tensorflow:tensorflow-core-native with the classifier for this platform ("
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")", e);
        }
    }

    private static Device resolveDevice(Device requested, ConfigProto config) {
        switch (requested) {
            case CPU:
                return Device.CPU;
            case GPU: {
                Optional<String> problem = DeviceProbe.gpuProblem(config);
                if (problem.isPresent()) {
                    throw new BackendException(BackendException.Kind.DEVICE, "GPU requested but TensorFlow cannot use one: "
                            + problem.get() + ". The GPU build needs the linux-x86_64-gpu native classifier (mvn -Pgpu), "
                            + "an NVIDIA driver, CUDA 12 and cuDNN 9.");
                }
                return Device.GPU;
            }
            case AUTO: {
                Optional<String> problem = DeviceProbe.gpuProblem(config);
                if (problem.isPresent()) {
                    LOG.log(System.Logger.Level.WARNING, "device AUTO: no usable GPU (" + problem.get()
                            + "); running on the CPU");
                    return Device.CPU;
                }
                return Device.GPU;
            }
            default:
                throw new IllegalArgumentException("unknown device " + requested);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BackendOptions options() {
        return options;
    }

    /** The device models of this backend run on (never AUTO). */
    public Device device() {
        return config.device();
    }

    RuntimeConfig config() {
        return config;
    }

    /** Models built by this backend and not closed yet (for tests). */
    int openModels() {
        synchronized (models) {
            return models.size();
        }
    }

    @Override
    public SamModel load(ModelArchitecture architecture, StateDict weights) {
        return guard.call(() -> {
            TfSamModel model = TfSamModel.load(architecture, weights, config);
            synchronized (models) {
                models.add(model);
            }
            model.onClose(() -> {
                synchronized (models) {
                    models.remove(model);
                }
            });
            return model;
        });
    }

    /** Closes every model this backend built (each waits for its calls in flight). Idempotent. */
    @Override
    public void close() {
        guard.close(() -> {
            List<TfSamModel> open;
            synchronized (models) {
                open = new ArrayList<>(models);
            }
            // outside the lock: each close waits for that model's calls in flight, then deregisters it
            open.forEach(TfSamModel::close);
        });
    }
}
