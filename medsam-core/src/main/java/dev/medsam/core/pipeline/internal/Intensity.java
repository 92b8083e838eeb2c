package dev.medsam.core.pipeline.internal;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Rescale;
import dev.medsam.core.image.internal.HalfFloats;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/** The arithmetic of the intensity presets (pre_CT_MR.py), streaming over the stored values. */
public final class Intensity {

    private static final System.Logger LOG = System.getLogger(Intensity.class.getName());
    private static final int CHUNK = 1 << 16;

    private Intensity() {
    }

    /** A uint8 image with the values of {@code image} (which must be UINT8) and its geometry. */
    public static MedicalImage copyAsUint8(MedicalImage image) {
        ByteBuffer src = image.data();
        byte[] out = new byte[src.remaining()];
        src.get(out);
        return uint8Like(image, out);
    }

    /**
     * {@code (clip(v, lower, upper) - min) / (max - min) * 255.0} truncated to uint8, with min and max those of the
     * clipped real values; when {@code keepZeros}, values that were exactly 0 give 0.
     */
    public static MedicalImage clipAndRescale(MedicalImage image, double lower, double upper, boolean keepZeros,
                                              String preset) {
        long n = image.valueCount();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double[] buf = new double[CHUNK];
        for (long from = 0; from < n; from += CHUNK) {
            int count = (int) Math.min(CHUNK, n - from);
            readScaled(image, from, buf, count);
            for (int i = 0; i < count; i++) {
                double v = buf[i];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("value " + v + " at flat index " + (from + i)
                            + " is not finite; the " + preset + " preset needs finite values");
                }
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        // clip is monotone, so the clipped image's min and max are the clipped min and max
        double cmin = clip(min, lower, upper);
        double cmax = clip(max, lower, upper);
        double range = cmax - cmin;
        byte[] out = new byte[Math.toIntExact(n)];
        if (!(range > 0)) {
            LOG.log(System.Logger.Level.WARNING, "all values of {0} are equal after clipping to [{1}, {2}]"
                    + " ({3} preset): the result is all 0", image, lower, upper, preset);
            return uint8Like(image, out);
        }
        for (long from = 0; from < n; from += CHUNK) {
            int count = (int) Math.min(CHUNK, n - from);
            readScaled(image, from, buf, count);
            int base = (int) from;
            for (int i = 0; i < count; i++) {
                double v = buf[i];
                if (keepZeros && v == 0) {
                    continue;
                }
                double r = (clip(v, lower, upper) - cmin) / range * 255.0;
                out[base + i] = (byte) (int) r;
            }
        }
        return uint8Like(image, out);
    }

    static double clip(double v, double lower, double upper) {
        return Math.min(Math.max(v, lower), upper);
    }

    /**
     * The {@code lower} and {@code upper} percentiles (NumPy's default linear method) of the real values above 0.
     *
     * @throws IllegalArgumentException if no value is above 0, or a value is NaN or infinite
     */
    public static double[] positivePercentiles(MedicalImage image, double lower, double upper) {
        Sorted sorted = sortedPositives(image);
        if (sorted.count() == 0) {
            throw new IllegalArgumentException("no value of " + image + " is above 0: the percentile preset takes"
                    + " the percentiles of the values above 0 (use a CT window or as-is)");
        }
        return new double[] {percentile(sorted, lower), percentile(sorted, upper)};
    }

    /** Sorted access to the positive real values. */
    interface Sorted {
        long count();

        double get(long rank);
    }

    /** NumPy's {@code percentile(a, q)} with method 'linear' on sorted values. */
    static double percentile(Sorted s, double q) {
        long n = s.count();
        double quantile = q / 100;
        double virtual = (n - 1) * quantile;
        double previous = Math.floor(virtual);
        long prevIndex;
        long nextIndex;
        if (virtual >= n - 1) {
            prevIndex = n - 1;
            nextIndex = n - 1;
            previous = -1; // NumPy indexes with -1 here; gamma is then virtual + 1, harmless as a == b
        } else if (virtual < 0) {
            prevIndex = 0;
            nextIndex = 0;
        } else {
            prevIndex = (long) previous;
            nextIndex = prevIndex + 1;
        }
        double gamma = virtual - previous;
        double a = s.get(prevIndex);
        double b = s.get(nextIndex);
        double diff = b - a;
        return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
    }

    static Sorted sortedPositives(MedicalImage image) {
        DataType t = image.dataType();
        if (t == DataType.UINT8 || t == DataType.INT8 || t == DataType.UINT16 || t == DataType.INT16) {
            return histogram(image);
        }
        long n = image.valueCount();
        double[] values = new double[(int) Math.min(n, 1 << 20)];
        int count = 0;
        double[] buf = new double[CHUNK];
        for (long from = 0; from < n; from += CHUNK) {
            int c = (int) Math.min(CHUNK, n - from);
            readScaled(image, from, buf, c);
            for (int i = 0; i < c; i++) {
                double v = buf[i];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("value " + v + " at flat index " + (from + i)
                            + " is not finite; the percentile preset needs finite values");
                }
                if (v > 0) {
                    if (count == values.length) {
                        values = Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 16, 2L * count));
                    }
                    values[count++] = v;
                }
            }
        }
        double[] sorted = Arrays.copyOf(values, count);
        Arrays.parallelSort(sorted);
        return new Sorted() {
            @Override
            public long count() {
                return sorted.length;
            }

            @Override
            public double get(long rank) {
                return sorted[(int) rank];
            }
        };
    }

    /** Exact order statistics of 8- and 16-bit data from a histogram of the stored values. */
    private static Sorted histogram(MedicalImage image) {
        DataType t = image.dataType();
        int offset = t.isSigned() ? (t.bytes() == 1 ? 128 : 32768) : 0;
        long[] counts = new long[t.bytes() == 1 ? 256 : 65536];
        ByteBuffer data = image.data();
        long n = image.valueCount();
        for (int i = 0; i < n; i++) {
            int stored = switch (t) {
                case UINT8 -> data.get(i) & 0xFF;
                case INT8 -> data.get(i);
                case UINT16 -> data.getShort(2 * i) & 0xFFFF;
                default -> data.getShort(2 * i);
            };
            counts[stored + offset]++;
        }
        Rescale rescale = image.rescale();
        // the positive real values in ascending order: stored values ascending when the slope is positive
        int bins = counts.length;
        long[] orderBin = new long[bins];
        double[] orderValue = new double[bins];
        int used = 0;
        for (int k = 0; k < bins; k++) {
            int bin = rescale.slope() > 0 ? k : bins - 1 - k;
            double v = rescale.apply(bin - offset);
            if (counts[bin] > 0 && v > 0) {
                orderBin[used] = counts[bin];
                orderValue[used] = v;
                used++;
            }
        }
        long[] cumulative = new long[used];
        long total = 0;
        for (int k = 0; k < used; k++) {
            total += orderBin[k];
            cumulative[k] = total;
        }
        long count = total;
        int distinct = used;
        return new Sorted() {
            @Override
            public long count() {
                return count;
            }

            @Override
            public double get(long rank) {
                int k = Arrays.binarySearch(cumulative, 0, distinct, rank + 1);
                if (k < 0) {
                    k = -k - 1;
                }
                return orderValue[k];
            }
        };
    }

    /** Reads {@code count} real values (stored value through the rescale) starting at flat index {@code from}. */
    static void readScaled(MedicalImage image, long from, double[] out, int count) {
        ByteBuffer d = image.data();
        int start = Math.toIntExact(from);
        DataType t = image.dataType();
        int bytes = t.bytes();
        switch (t) {
            case UINT8 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = d.get(start + i) & 0xFF;
                }
            }
            case INT8 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = d.get(start + i);
                }
            }
            case UINT16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = d.getShort((start + i) * bytes) & 0xFFFF;
                }
            }
            case INT16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = d.getShort((start + i) * bytes);
                }
            }
            case UINT32 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = d.getInt((start + i) * bytes) & 0xFFFFFFFFL;
                }
            }
            case INT32 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = d.getInt((start + i) * bytes);
                }
            }
            case UINT64 -> {
                for (int i = 0; i < count; i++) {
                    long v = d.getLong((start + i) * bytes);
                    out[i] = (double) (v >>> 1) * 2.0 + (v & 1);
                }
            }
            case INT64 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = d.getLong((start + i) * bytes);
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = HalfFloats.toFloat(d.getShort((start + i) * bytes));
                }
            }
            case FLOAT32 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = d.getFloat((start + i) * bytes);
                }
            }
            case FLOAT64 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = d.getDouble((start + i) * bytes);
                }
            }
            default -> throw new IllegalStateException("unhandled data type " + t);
        }
        Rescale r = image.rescale();
        if (!r.isIdentity()) {
            for (int i = 0; i < count; i++) {
                out[i] = r.apply(out[i]);
            }
        }
    }

    /** A uint8 image on the same grid as {@code like}: dims, components, affine, modality and attributes. */
    public static MedicalImage uint8Like(MedicalImage like, byte[] values) {
        MedicalImage.Builder b = MedicalImage.builder(DataType.UINT8, like.dims()).components(like.components())
                .affine(like.affine(CoordinateSystem.LPS));
        like.modality().ifPresent(b::modality);
        for (Map.Entry<String, String> e : like.attributes().entrySet()) {
            b.attribute(e.getKey(), e.getValue());
        }
        return b.data(ByteBuffer.wrap(values)).build();
    }
}
