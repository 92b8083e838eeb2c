package dev.medsam.io.numpy;

import java.util.Arrays;

/**
 * The header of a {@code .npy} file, as stored.
 *
 * @param major        format version major (1, 2 or 3)
 * @param minor        format version minor (0)
 * @param descr        the array-protocol type string, e.g. {@code <f4}
 * @param fortranOrder whether the values are stored first-index-fastest
 * @param shape        the shape in NumPy order
 * @param dataOffset   where the values start, in bytes from the start of the .npy stream
 */
public record NpyHeader(int major, int minor, String descr, boolean fortranOrder, int[] shape, long dataOffset) {

    public NpyHeader {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The element type ({@code descr} was validated when the header was read). */
    public NpyDtype dtype() {
        return NpyDtype.fromDescr(descr).orElseThrow(() -> new IllegalStateException("unsupported descr " + descr));
    }

    /** Whether multi-byte values are stored big-endian ({@code '>'}). */
    public boolean bigEndian() {
        return descr.startsWith(">");
    }

    /** Number of elements. */
    public long size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.major == major && h.minor == minor && h.descr.equals(descr)
                && h.fortranOrder == fortranOrder && Arrays.equals(h.shape, shape) && h.dataOffset == dataOffset;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + descr.hashCode();
    }

    @Override
    public String toString() {
        return "NpyHeader[v" + major + "." + minor + " " + descr + (fortranOrder ? " F" : " C") + " "
                + Arrays.toString(shape) + " @" + dataOffset + "]";
    }
}
