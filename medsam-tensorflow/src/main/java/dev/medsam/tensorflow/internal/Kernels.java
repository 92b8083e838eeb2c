package dev.medsam.tensorflow.internal;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Optional fused kernels of TensorFlow's oneDNN build. They are internal ops: present only in x86-64 builds with
 * oneDNN enabled (not with TF_ENABLE_ONEDNN_OPTS=0, not on other platforms), so their use is decided by running
 * them once.
 */
final class Kernels {

    /** oneDNN's LayerNorm over the last axis: inputs x, scale, offset; attribute epsilon. */
    static final String MKL_LAYER_NORM = "_MklLayerNorm";

    private static volatile Boolean layerNorm;

    private Kernels() {
    }

    /**
     * Whether {@link #MKL_LAYER_NORM} is registered and runs here (checked once per JVM, in a session with
     * {@code config}).
     */
    static boolean fusedLayerNormAvailable(ConfigProto config) {
        Boolean b = layerNorm;
        if (b == null) {
            synchronized (Kernels.class) {
                b = layerNorm;
                if (b == null) {
                    b = probeLayerNorm(config);
                    layerNorm = b;
                }
            }
        }
        return b;
    }

    private static boolean probeLayerNorm(ConfigProto config) {
        boolean registered = TensorFlow.registeredOpList().getOpList().stream()
                .anyMatch(op -> op.getName().equals(MKL_LAYER_NORM));
        if (!registered) {
            return false;
        }
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> x = tf.constant(new float[][] {{1f, 2f, 3f, 6f}});
            Operand<TFloat32> y = new Nn(tf, Precision.FP32, true).layerNorm(x, tf.constant(new float[] {1f, 1f, 1f, 1f}),
                    tf.constant(new float[] {0f, 0f, 0f, 0f}), 1e-6f);
            try (Session s = new Session(g, config); Result r = s.runner().fetch(y).run()) {
                float[] out = new float[4];
                ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out);
                // mean 3, variance 3.5: (x - 3) / sqrt(3.5)
                return Math.abs(out[3] - 3f / (float) Math.sqrt(3.5)) < 1e-5f && Math.abs(out[0] + 2f / (float) Math.sqrt(3.5)) < 1e-5f;
            }
        } catch (RuntimeException e) {
            return false;
        }
    }
}
