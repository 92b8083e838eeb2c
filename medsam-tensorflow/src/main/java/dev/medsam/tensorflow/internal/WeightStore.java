package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.BackendException;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The network's weights as TensorFlow resource variables, filled once per model: each checkpoint tensor is fed
 * through a placeholder in its PyTorch layout, rearranged by a small upload graph (transposes to the layouts the
 * compute graph wants, bfloat16 casts) and assigned. Keeping weights out of the GraphDef keeps the graph small
 * (ViT-H's 2.5 GB would not fit protobuf's 2 GB limit) and lets the checkpoint's memory go once uploaded.
 *
 * <p>Not thread-safe: used while the graph is built, then {@link #upload} once.
 */
final class WeightStore {

    /** Upload batches are cut at about this many bytes of fed tensors, to bound the transient copy. */
    private static final long BATCH_BYTES = 192L << 20;

    private static final System.Logger LOG = System.getLogger(WeightStore.class.getName());

    private final Ops tf;
    private final Ops derivedScope;
    private final Nn nn;
    private final Map<String, Upload> uploads = new LinkedHashMap<>();
    private final Map<String, Operand<?>> reads = new LinkedHashMap<>();
    private final List<Op> derivedAssigns = new ArrayList<>();

    private record Upload(String key, int[] rawShape, Placeholder<TFloat32> feed, Op assign) {
        long bytes() {
            long n = 4;
            for (int d : rawShape) {
                n *= d;
            }
            return n;
        }
    }

    WeightStore(Ops tf) {
        // Sub-scopes are made here, once: TF Java scans the whole graph for every new sub-scope.
        this.tf = tf.withSubScope("weights");
        this.derivedScope = this.tf.withSubScope("derived");
        this.nn = new Nn(this.tf, Precision.FP32, false);
    }

    /** Helpers for upload-time transforms: they must be built here, never in a compute scope. */
    Nn nn() {
        return nn;
    }

    /**
     * A float32 weight, stored as {@code transform(raw)}.
     *
     * @param key         state-dict key
     * @param variant     names the transform: every (key, variant) pair is one variable, so two uses of a key
     *                    with different transforms need different variant names
     * @param rawShape    the shape the checkpoint must have (PyTorch layout)
     * @param storedShape the shape after {@code transform}
     * @param transform   rearrangement done once at upload
     */
    Operand<TFloat32> f32(String key, String variant, int[] rawShape, int[] storedShape,
                          Function<Operand<TFloat32>, Operand<TFloat32>> transform) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> r = (Operand<TFloat32>) variable(key, key + "@" + variant, rawShape, storedShape, transform,
                TFloat32.class);
        return r;
    }

    /** A float32 weight stored exactly as in the checkpoint. */
    Operand<TFloat32> f32(String key, int... shape) {
        return f32(key, "raw", shape, shape, Function.identity());
    }

    /**
     * A matrix-product operand, stored in the product type of {@code precision} (float32 or bfloat16) after
     * {@code transform}.
     */
    Operand<? extends TType> product(String key, int[] rawShape, int[] storedShape,
                                     Function<Operand<TFloat32>, Operand<TFloat32>> transform, Precision precision) {
        if (precision == Precision.BF16) {
            return variable(key, key + "@product-bf16", rawShape, storedShape, transform, TBfloat16.class);
        }
        return variable(key, key + "@product", rawShape, storedShape, transform, TFloat32.class);
    }

    /** A Linear layer's weight (out, in) as the (in, out) right-hand side of {@code x @ w}. */
    Operand<? extends TType> linearWeight(String key, int out, int in, Precision precision) {
        return product(key, new int[] {out, in}, new int[] {in, out}, t -> nn.transpose(t, 1, 0), precision);
    }

    /**
     * A value derived from other weights by a graph expression, computed once right after the upload and then
     * read like a weight (dense positional encodings, gathered relative-position tables...).
     */
    Operand<TFloat32> derived(String name, int[] shape, Operand<TFloat32> expression) {
        Ops scope = derivedScope;
        VarHandleOp handle = scope.withName(safe(name)).varHandleOp(TFloat32.class, Shape.of(toLongs(shape)),
                VarHandleOp.sharedName("derived/" + name));
        derivedAssigns.add(scope.assignVariableOp(handle, expression));
        return scope.readVariableOp(handle, TFloat32.class);
    }

    /**
     * {@link #derived} in the matrix-product type of {@code precision}: float32, or the expression rounded once to
     * bfloat16 (folded convolution kernels used as product operands).
     */
    Operand<? extends TType> derivedProduct(String name, int[] shape, Operand<TFloat32> expression,
                                            Precision precision) {
        if (precision != Precision.BF16) {
            return derived(name, shape, expression);
        }
        Ops scope = derivedScope;
        VarHandleOp handle = scope.withName(safe(name + "@bf16")).varHandleOp(TBfloat16.class,
                Shape.of(toLongs(shape)), VarHandleOp.sharedName("derived/" + name + "@bf16"));
        derivedAssigns.add(scope.assignVariableOp(handle, scope.dtypes.cast(expression, TBfloat16.class)));
        return scope.readVariableOp(handle, TBfloat16.class);
    }

    private Operand<?> variable(String key, String id, int[] rawShape, int[] storedShape,
                                Function<Operand<TFloat32>, Operand<TFloat32>> transform, Class<? extends TType> type) {
        Operand<?> existing = reads.get(id);
        if (existing != null) {
            if (!existing.shape().equals(Shape.of(toLongs(storedShape)))) {
                throw new IllegalStateException("weight " + id + " requested as " + Arrays.toString(storedShape)
                        + " and as " + existing.shape() + ": give each transform its own variant name");
            }
            return existing;
        }
        Ops scope = tf;
        String name = safe(id);
        Placeholder<TFloat32> feed = scope.withName(name + ".feed").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(toLongs(rawShape))));
        Operand<TFloat32> stored = transform.apply(feed);
        Operand<?> value = type == TFloat32.class ? stored : scope.dtypes.cast(stored, type);
        VarHandleOp handle = scope.withName(name + ".var").varHandleOp(type, Shape.of(toLongs(storedShape)),
                VarHandleOp.sharedName(id));
        Op assign = scope.withName(name + ".assign").assignVariableOp(handle, value);
        uploads.put(id, new Upload(key, rawShape.clone(), feed, assign));
        Operand<?> read = scope.withName(name + ".read").readVariableOp(handle, type);
        reads.put(id, read);
        return read;
    }

    /**
     * Checks that {@code weights} has every tensor this graph reads, with the expected shapes.
     *
     * @throws BackendException (INCOMPATIBLE_MODEL) listing every missing or misshapen tensor
     */
    void validate(StateDict weights, String architecture) {
        List<String> problems = new ArrayList<>();
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (Upload u : uploads.values()) {
            expected.putIfAbsent(u.key(), u.rawShape());
        }
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            var found = weights.find(e.getKey());
            if (found.isEmpty()) {
                problems.add("missing tensor '" + e.getKey() + "' " + Arrays.toString(e.getValue()));
            } else if (!Arrays.equals(found.get().shape(), e.getValue())) {
                problems.add("tensor '" + e.getKey() + "' has shape " + Arrays.toString(found.get().shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 12);
            StringBuilder sb = new StringBuilder("the checkpoint does not fit the ").append(architecture)
                    .append(" network (").append(problems.size()).append(" problem").append(problems.size() == 1 ? "" : "s")
                    .append("):");
            for (int i = 0; i < shown; i++) {
                sb.append(System.lineSeparator()).append("  ").append(problems.get(i));
            }
            if (shown < problems.size()) {
                sb.append(System.lineSeparator()).append("  ... and ").append(problems.size() - shown).append(" more");
            }
            throw new BackendException(BackendException.Kind.INCOMPATIBLE_MODEL, sb.toString());
        }
    }

    /** Number of distinct checkpoint tensors the graph reads. */
    int tensorCount() {
        return (int) uploads.values().stream().map(Upload::key).distinct().count();
    }

    /**
     * Feeds every weight and runs the assignments, in batches of about {@value #BATCH_BYTES} bytes, then
     * computes the derived values. Call {@link #validate} first.
     */
    void upload(Session session, StateDict weights) {
        List<Upload> batch = new ArrayList<>();
        long bytes = 0;
        for (Upload u : uploads.values()) {
            if (!batch.isEmpty() && bytes + u.bytes() > BATCH_BYTES) {
                runBatch(session, weights, batch);
                batch.clear();
                bytes = 0;
            }
            batch.add(u);
            bytes += u.bytes();
        }
        if (!batch.isEmpty()) {
            runBatch(session, weights, batch);
        }
        if (!derivedAssigns.isEmpty()) {
            Session.Runner runner = session.runner();
            derivedAssigns.forEach(runner::addTarget);
            runner.run().close();
        }
    }

    private static void runBatch(Session session, StateDict weights, List<Upload> batch) {
        long t0 = System.nanoTime();
        List<TFloat32> fed = new ArrayList<>(batch.size());
        try {
            Session.Runner runner = session.runner();
            for (Upload u : batch) {
                TFloat32 t = TensorIo.floats(weights.get(u.key()).values(), toLongs(u.rawShape()));
                fed.add(t);
                runner.feed(u.feed(), t).addTarget(u.assign());
            }
            long t1 = System.nanoTime();
            runner.run().close();
            LOG.log(System.Logger.Level.TRACE, () -> String.format("uploaded %d tensors: copy %d ms, assign %d ms",
                    batch.size(), (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000));
        } finally {
            fed.forEach(TFloat32::close);
        }
    }

    static long[] toLongs(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            s[i] = shape[i];
        }
        return s;
    }

    private static String safe(String key) {
        return key.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    }
}
