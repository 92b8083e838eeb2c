package dev.medsam.tensorflow;

import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.BackendProvider;
import dev.medsam.tensorflow.internal.TfBackend;

/**
 * The TensorFlow backend for MedSAM: runs the SAM network as a TensorFlow graph (TensorFlow Java 1.1.0) on the
 * CPU, or on /GPU:0 with the linux-x86_64-gpu native build. Found by {@link java.util.ServiceLoader} under the name
 * {@value #NAME}; discovery loads no native code, {@link #open} does.
 *
 * <p>Options ({@link BackendOptions}): device CPU, GPU or AUTO (GPU if usable, else CPU with one warning);
 * intra-op threads (0: TensorFlow's default, all cores) and inter-op threads (0: one; TensorFlow's one per core
 * was not faster); TensorFlow sizes its process-wide thread pools from the first session it creates, so the first
 * backend opened in a JVM decides; extras {@code precision} = {@code fp32} (default, matches the reference) or
 * {@code bf16} (image-encoder matrix products in bfloat16: 0.73x the fp32 encoder time on a 2-core CPU with
 * AVX-512 BF16 and AMX, see benchmarks/README.md; approximate: on the parity fixtures' tiny model the embedding
 * moves by up to 0.04 for values up to 4.6 and masks keep a Dice of 0.998 against fp32; the decoder always runs in
 * float32) and {@code decoder.cache} = number of images whose prompt-independent decoder work is kept (default 4,
 * about 14 MB of native memory each).
 *
 * <pre>{@code
 * try (Backend backend = Backends.open("tensorflow", BackendOptions.defaults());
 *      SamModel model = backend.load(SamArchitecture.VIT_B, weights)) {
 *     ImageEmbedding embedding = model.imageEncoder().encode(image);
 *     MaskPrediction masks = model.predict(embedding, List.of(prompt), false);
 * }
 * }</pre>
 *
 * <p>Thread-safety: the provider is stateless; backends and models are thread-safe. Backends and models own
 * native memory and must be closed.
 */
public final class TensorFlowBackendProvider implements BackendProvider {

    /** The provider name. */
    public static final String NAME = "tensorflow";

    /** Creates the provider; cheap, loads nothing. */
    public TensorFlowBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** 100: the reference backend. */
    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Backend open(BackendOptions options) {
        return TfBackend.open(NAME, options);
    }
}
