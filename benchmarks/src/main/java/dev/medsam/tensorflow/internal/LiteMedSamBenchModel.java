package dev.medsam.tensorflow.internal;

import dev.medsam.core.FloatTensor;
import dev.medsam.core.checkpoint.LiteMedSamCheckpoint;
import org.tensorflow.proto.ConfigProto;

/**
 * The benchmarks' handle on the TensorFlow backend's LiteMedSAM model, which has no public API yet (it lives in
 * this package, package-private; the benchmarks jar is run from the class path, so a class in the same package
 * reaches it without widening the backend's API for a benchmark). Not thread-safe; close it once.
 */
public final class LiteMedSamBenchModel implements AutoCloseable {

    private final LiteMedSamTfModel model;

    private LiteMedSamBenchModel(LiteMedSamTfModel model) {
        this.model = model;
    }

    /** Builds the model on the CPU with the given thread pools (inter-op threads as the backend's default, 1). */
    public static LiteMedSamBenchModel load(LiteMedSamCheckpoint checkpoint, int intraOpThreads, int interOpThreads) {
        ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(intraOpThreads)
                .setInterOpParallelismThreads(interOpThreads).build();
        return new LiteMedSamBenchModel(LiteMedSamTfModel.load(checkpoint.architecture(), checkpoint.weights(), config));
    }

    /** (1, 3, 256, 256) input to the (1, 256, 64, 64) embedding. */
    public FloatTensor encode(FloatTensor image) {
        return model.encode(image);
    }

    /** Low-resolution logits (B, 1, 256, 256) and IoU (B, 1) for boxes in the 256 frame. */
    public FloatTensor[] predictBoxes(FloatTensor embedding, float[][] boxes256) {
        return model.predictBoxes(embedding, boxes256);
    }

    @Override
    public void close() {
        model.close();
    }
}
