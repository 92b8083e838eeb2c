package dev.medsam.core.testing;

import dev.medsam.core.checkpoint.CheckpointException;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.checkpoint.StoredType;
import dev.medsam.core.checkpoint.TensorData;

import java.lang.ref.SoftReference;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The "vitb-formula" weights of the SAM parity fixtures, built in memory, so that tests and benchmarks can run
 * the real ViT-B network without a 375 MB file (and without {@code ../shared}).
 *
 * <p>The rule (fixtures/sam-parity/README.md and the "formula" block of vitb_keys.json): sort the state-dict keys
 * in Python's {@code sorted()} order (code points); for key number k and flat C-order index i,
 * {@code value = (float) (c_k + s_k * sin(0.7310585 * i + 1.3 * k))}, evaluated in double. c_k and s_k follow
 * from the key's name and shape ({@link #coefficients(String, int[])}); the test suite checks them against the
 * values listed in vitb_keys.json for all 314 keys.
 *
 * <p>Generation uses the common fork-join pool; the ViT-B weights take 375 MB of heap. Values use
 * {@link Math#sin}, which like the reference's libm is within an ulp of the exact sine, so the float32 weights
 * equal the reference's (an ulp of the double sine changes the float only when it sits on a rounding boundary).
 */
public final class FormulaWeights {

    /** The name of the fixture case, used as the checkpoint source. */
    public static final String SOURCE = "vitb-formula";

    private static final Pattern LAYER_NORM_WEIGHT = Pattern.compile("(^|.*\\.)norm[^.]*\\.weight");
    /** LayerNorm / LayerNorm2d weights whose module names do not say "norm". */
    private static final Set<String> OTHER_NORM_WEIGHTS = Set.of(
            "image_encoder.neck.1.weight",
            "image_encoder.neck.3.weight",
            "mask_decoder.output_upscaling.1.weight",
            "prompt_encoder.mask_downscaling.1.weight",
            "prompt_encoder.mask_downscaling.4.weight");

    private FormulaWeights() {
    }

    /** The offset c and scale s of one key. */
    public record Coefficients(double c, double s) {
    }

    /**
     * c and s for a key, by the fixture's rules in order of precedence: LayerNorm weight (1, 0.1) > Gaussian
     * matrix of the prompt encoder (0, 1) > pos_embed (0, 0.02) > relative-position table (0, 0.05) > bias
     * (0, 0.02) > other 1-D tensor (0, 0.02) > everything else (0, 1/sqrt(fan_in)), fan_in being the product of
     * all dimensions but the first.
     */
    public static Coefficients coefficients(String key, int[] shape) {
        if (LAYER_NORM_WEIGHT.matcher(key).matches() || OTHER_NORM_WEIGHTS.contains(key)) {
            return new Coefficients(1.0, 0.1);
        }
        if (key.equals("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix")) {
            return new Coefficients(0.0, 1.0);
        }
        if (key.equals("image_encoder.pos_embed")) {
            return new Coefficients(0.0, 0.02);
        }
        if (key.endsWith("rel_pos_h") || key.endsWith("rel_pos_w")) {
            return new Coefficients(0.0, 0.05);
        }
        if (key.endsWith(".bias") || shape.length == 1) {
            return new Coefficients(0.0, 0.02);
        }
        long fanIn = 1;
        for (int d = 1; d < shape.length; d++) {
            fanIn *= shape[d];
        }
        return new Coefficients(0.0, 1.0 / Math.sqrt((double) fanIn));
    }

    /** The keys in the formula's order (Python's sorted(): by code point), so that key k is {@code get(k)}. */
    public static List<String> formulaOrder(Collection<String> keys) {
        List<String> sorted = new ArrayList<>(keys);
        sorted.sort(FormulaWeights::compareCodePoints);
        return sorted;
    }

    /** Value {@code i} (flat C-order index) of key number {@code k}. */
    public static float value(Coefficients cs, int k, long i) {
        return (float) (cs.c() + cs.s() * Math.sin(0.7310585 * (double) i + 1.3 * (double) k));
    }

    /**
     * The vitb-formula weights: SAM ViT-B's 314 tensors, in PyTorch's state-dict order. Generating them takes
     * seconds (93.7M sines), so one instance per JVM is kept while memory allows (a soft reference) and shared:
     * it is immutable.
     */
    public static StateDict vitB() {
        synchronized (FormulaWeights.class) {
            StateDict cached = vitBCache.get();
            if (cached == null) {
                cached = build(SamArchitecture.VIT_B);
                vitBCache = new SoftReference<>(cached);
            }
            return cached;
        }
    }

    private static SoftReference<StateDict> vitBCache = new SoftReference<>(null);

    /** {@link #vitB()} as a validated checkpoint with source {@value #SOURCE}. */
    public static SamCheckpoint vitBCheckpoint() {
        try {
            return SamCheckpoint.of(SOURCE, vitB());
        } catch (CheckpointException e) {
            throw new AssertionError("the formula weights do not form a ViT-B checkpoint", e);
        }
    }

    /**
     * Formula weights for any architecture (the rule applied to its own keys), in its state-dict order.
     * Only {@link SamArchitecture#VIT_B} has reference outputs.
     */
    public static StateDict build(SamArchitecture architecture) {
        Map<String, int[]> shapes = architecture.expectedShapes();
        List<String> order = formulaOrder(shapes.keySet());
        Map<String, Integer> index = new HashMap<>();
        for (int k = 0; k < order.size(); k++) {
            index.put(order.get(k), k);
        }
        List<String> keys = new ArrayList<>(shapes.keySet());
        TensorData[] tensors = new TensorData[keys.size()];
        // Largest tensors first so that the two cores finish together.
        IntStream.range(0, keys.size()).boxed()
                .sorted((a, b) -> Long.compare(numel(shapes.get(keys.get(b))), numel(shapes.get(keys.get(a)))))
                .parallel()
                .forEach(t -> {
                    String key = keys.get(t);
                    int[] shape = shapes.get(key);
                    int k = index.get(key);
                    Coefficients cs = coefficients(key, shape);
                    float[] v = new float[Math.toIntExact(numel(shape))];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = value(cs, k, i);
                    }
                    tensors[t] = new TensorData(key, shape, StoredType.F32, FloatBuffer.wrap(v)); // no copy
                });
        return StateDict.of(List.of(tensors));
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
