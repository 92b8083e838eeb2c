package dev.medsam.tensorflow.internal;

import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

import java.util.Optional;

/** Finds out whether TensorFlow can run an op on /GPU:0. */
final class DeviceProbe {

    private static volatile Optional<String> cached;

    private DeviceProbe() {
    }

    /**
     * Why no GPU can be used, or empty if /GPU:0 runs ops. The answer is computed once per JVM, with the session
     * settings of the first caller (TensorFlow sizes its global thread pools from the first session).
     */
    static Optional<String> gpuProblem(ConfigProto config) {
        Optional<String> c = cached;
        if (c == null) {
            synchronized (DeviceProbe.class) {
                c = cached;
                if (c == null) {
                    c = probe(config);
                    cached = c;
                }
            }
        }
        return c;
    }

    private static Optional<String> probe(ConfigProto config) {
        // An op pinned to the GPU without soft placement fails at placement time when there is no GPU.
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g).withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.GPU)
                    .deviceIndex(0).build());
            Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            var y = tf.math.mul(x, x);
            ConfigProto strict = config.toBuilder().setAllowSoftPlacement(false).build();
            try (Session s = new Session(g, strict); TFloat32 in = TFloat32.scalarOf(2f);
                 Result r = s.runner().feed(x, in).fetch(y).run()) {
                return Optional.empty();
            }
        } catch (TensorFlowException | IllegalArgumentException | IllegalStateException e) {
            String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            return Optional.of(msg.isEmpty() ? e.toString() : msg);
        }
    }
}
