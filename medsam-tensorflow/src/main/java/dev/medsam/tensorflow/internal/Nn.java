package dev.medsam.tensorflow.internal;

import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Constant;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

import java.util.ArrayList;
import java.util.List;

/**
 * Graph-building helpers for the SAM layers, written so that they compute what the PyTorch reference computes
 * (same formulas, same epsilons) in NHWC / row-major-token layout. All activations are float32; with
 * {@link Precision#BF16} the inputs of the large products are rounded to bfloat16 and the products return
 * float32.
 */
final class Nn {

    /** 1/sqrt(2), as PyTorch's exact GELU uses it (M_SQRT1_2 rounded to float). */
    private static final float SQRT1_2 = (float) (1.0 / Math.sqrt(2.0));

    final Ops tf;
    final Precision precision;
    /** Whether LayerNorm may use oneDNN's fused kernel (_MklLayerNorm); see {@link Kernels}. */
    final boolean fusedLayerNorm;

    Nn(Ops tf, Precision precision, boolean fusedLayerNorm) {
        this.tf = tf;
        this.precision = precision;
        this.fusedLayerNorm = fusedLayerNorm;
    }

    /** The same helpers writing into a sub-scope (op names prefixed with {@code name/}). */
    Nn scope(String name) {
        return new Nn(tf.withSubScope(name), precision, fusedLayerNorm);
    }

    /** The same helpers with another matrix-product precision. */
    Nn withPrecision(Precision p) {
        return new Nn(tf, p, fusedLayerNorm);
    }

    /** The same helpers with every new op depending on {@code op} (to order otherwise independent work). */
    Nn after(Operand<?> op) {
        return new Nn(tf.withControlDependencies(List.of(op)), precision, fusedLayerNorm);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Operand<TFloat32> floatOutput(Operation op) {
        return (Operand) op.output(0);
    }

    Constant<TFloat32> scalar(float v) {
        return tf.constant(v);
    }

    Constant<TInt32> ints(int... v) {
        return tf.constant(v);
    }

    Operand<TFloat32> reshape(Operand<TFloat32> x, int... shape) {
        return tf.reshape(x, ints(shape));
    }

    /** Reshapes {@code x} to {@code shape(like)[:keep] + tail}, for leading dimensions only known at run time. */
    Operand<TFloat32> reshapeLike(Operand<TFloat32> x, Operand<?> like, int keep, int... tail) {
        Operand<TInt32> lead = tf.slice(tf.shape(like), ints(0), ints(keep));
        return tf.reshape(x, tf.concat(List.of(lead, ints(tail)), tf.constant(0)));
    }

    Operand<TFloat32> transpose(Operand<TFloat32> x, int... perm) {
        return tf.linalg.transpose(x, ints(perm));
    }

    Operand<TFloat32> add(Operand<TFloat32> a, Operand<TFloat32> b) {
        return tf.math.add(a, b);
    }

    Operand<TFloat32> sub(Operand<TFloat32> a, Operand<TFloat32> b) {
        return tf.math.sub(a, b);
    }

    Operand<TFloat32> mul(Operand<TFloat32> a, Operand<TFloat32> b) {
        return tf.math.mul(a, b);
    }

    Operand<TFloat32> mul(Operand<TFloat32> a, float b) {
        return tf.math.mul(a, scalar(b));
    }

    /** Rows {@code [begin, begin+size)} along each axis ({@code -1} size: to the end). */
    Operand<TFloat32> slice(Operand<TFloat32> x, int[] begin, int[] size) {
        return tf.slice(x, ints(begin), ints(size));
    }

    Operand<TFloat32> concat(List<Operand<TFloat32>> parts, int axis) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return tf.concat(parts, tf.constant(axis));
    }

    /** Rounds to the matrix-product type of this precision. */
    Operand<? extends TType> toProductType(Operand<TFloat32> x) {
        return precision == Precision.BF16 ? tf.dtypes.cast(x, TBfloat16.class) : x;
    }

    Operand<TFloat32> fromProductType(Operand<? extends TType> x) {
        if (precision == Precision.BF16) {
            return tf.dtypes.cast(x, TFloat32.class);
        }
        @SuppressWarnings("unchecked")
        Operand<TFloat32> f = (Operand<TFloat32>) x;
        return f;
    }

    /**
     * {@code x (M, K) @ w (K, N)}, where {@code w} already has the product type of this precision (a weight read
     * from the {@link WeightStore}).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Operand<TFloat32> matmul(Operand<TFloat32> x, Operand<? extends TType> w) {
        Operand a = toProductType(x);
        Operand r = tf.linalg.matMul(a, (Operand) w);
        return fromProductType(r);
    }

    /** {@code x @ w + b} with a 2-D {@code x} (tokens, in) and {@code w} (in, out). BiasAdd lets grappler fuse it. */
    Operand<TFloat32> linear(Operand<TFloat32> x, Operand<? extends TType> w, Operand<TFloat32> b) {
        return tf.nn.biasAdd(matmul(x, w), b);
    }

    /**
     * Batched product of two activations, broadcasting batch dimensions, float32 out. Built as BatchMatMulV2, which
     * oneDNN builds run with their own kernel (TF Java's BatchMatMulV3 stays on the slower Eigen one).
     */
    Operand<TFloat32> bmm(Operand<TFloat32> a, Operand<TFloat32> b, boolean adjA, boolean adjB) {
        return fromProductType(batchMatMulV2(toProductType(a), toProductType(b), adjA, adjB));
    }

    private Operand<? extends TType> batchMatMulV2(Operand<? extends TType> a, Operand<? extends TType> b, boolean adjA,
                                                   boolean adjB) {
        Operation op = tf.scope().opBuilder("BatchMatMulV2", "BatchMatMulV2").addInput(a.asOutput())
                .addInput(b.asOutput()).setAttr("adj_x", adjA).setAttr("adj_y", adjB).build();
        return op.output(0);
    }

    /**
     * LayerNorm over the last axis with biased variance, as torch.nn.LayerNorm and SAM's LayerNorm2d (which
     * normalises each pixel over its channels): {@code (x - mean) / sqrt(var + eps) * gamma + beta}.
     */
    Operand<TFloat32> layerNorm(Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta, float eps) {
        if (fusedLayerNorm) {
            // the oneDNN kernel takes 2-D or 3-D input
            int rank = x.shape().numDimensions();
            boolean flatten = rank < 2 || rank > 3;
            long channels = gamma.shape().get(0);
            Operand<TFloat32> in = flatten ? tf.reshape(x, tf.constant(new long[] {-1, channels})) : x;
            Operation op = tf.scope().opBuilder(Kernels.MKL_LAYER_NORM, "LayerNorm").addInput(in.asOutput())
                    .addInput(gamma.asOutput()).addInput(beta.asOutput()).setAttr("epsilon", eps).build();
            return flatten ? tf.reshape(floatOutput(op), tf.shape(x)) : floatOutput(op);
        }
        Constant<TInt32> lastAxis = tf.constant(new int[] {-1});
        Operand<TFloat32> mean = tf.math.mean(x, lastAxis, org.tensorflow.op.math.Mean.keepDims(true));
        Operand<TFloat32> centred = tf.math.sub(x, mean);
        Operand<TFloat32> var = tf.math.mean(tf.math.square(centred), lastAxis,
                org.tensorflow.op.math.Mean.keepDims(true));
        Operand<TFloat32> inv = tf.math.rsqrt(tf.math.add(var, scalar(eps)));
        return tf.math.add(tf.math.mul(tf.math.mul(centred, inv), gamma), beta);
    }

    /** Exact (erf) GELU, as torch.nn.GELU(): {@code x * 0.5 * (1 + erf(x / sqrt(2)))}. */
    Operand<TFloat32> gelu(Operand<TFloat32> x) {
        Operand<TFloat32> erf = tf.math.erf(tf.math.mul(x, scalar(SQRT1_2)));
        return tf.math.mul(tf.math.mul(x, scalar(0.5f)), tf.math.add(scalar(1f), erf));
    }

    Operand<TFloat32> relu(Operand<TFloat32> x) {
        return tf.nn.relu(x);
    }

    Operand<TFloat32> softmax(Operand<TFloat32> x) {
        return tf.nn.softmax(x);
    }

    /** Splits {@code x} along {@code axis} into {@code n} equal parts. */
    List<Operand<TFloat32>> split(Operand<TFloat32> x, int axis, int n) {
        List<Operand<TFloat32>> out = new ArrayList<>(n);
        tf.split(tf.constant(axis), x, (long) n).forEach(out::add);
        return out;
    }
}
