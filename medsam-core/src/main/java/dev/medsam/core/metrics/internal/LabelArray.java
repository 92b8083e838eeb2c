package dev.medsam.core.metrics.internal;

import java.util.Arrays;

/**
 * The labels of a grid, flat, x fastest: one unsigned byte per voxel when every label fits (the usual case,
 * a quarter of the memory of ints for a 512x512x600 volume), else one int. Labels are never negative.
 *
 * <p>Immutable by convention: nothing in this package writes into an array after construction. Not part of the
 * public API.
 */
public final class LabelArray {

    private final byte[] bytes;
    private final int[] ints;
    private final int length;
    private final int maxLabel;

    private LabelArray(byte[] bytes, int[] ints, int maxLabel) {
        this.bytes = bytes;
        this.ints = ints;
        this.length = bytes != null ? bytes.length : ints.length;
        this.maxLabel = maxLabel;
    }

    /** Takes ownership of {@code labels} (0..255 each, unsigned). */
    public static LabelArray wrapUnsignedBytes(byte[] labels) {
        int max = 0;
        for (byte b : labels) {
            max = Math.max(max, b & 0xFF);
        }
        return new LabelArray(labels, null, max);
    }

    /**
     * Takes ownership of {@code labels}, or copies them into bytes when all fit.
     *
     * @throws IllegalArgumentException naming the first negative label and its index
     */
    public static LabelArray ofInts(int[] labels) {
        int max = 0;
        for (int i = 0; i < labels.length; i++) {
            int v = labels[i];
            if (v < 0) {
                throw new IllegalArgumentException("label " + v + " at flat index " + i + " is negative; labels are 0 (background) or positive");
            }
            max = Math.max(max, v);
        }
        if (max <= 0xFF) {
            byte[] b = new byte[labels.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) labels[i];
            }
            return new LabelArray(b, null, max);
        }
        return new LabelArray(null, labels, max);
    }

    /** Number of voxels. */
    public int length() {
        return length;
    }

    /** Label at flat index {@code i}. */
    public int get(int i) {
        return bytes != null ? bytes[i] & 0xFF : ints[i];
    }

    /** Largest label (0 when all background). */
    public int maxLabel() {
        return maxLabel;
    }

    /** A copy as ints. */
    public int[] toIntArray() {
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    /** A copy of this array in which the flat ranges {@code [starts[r], ends[r]]} (inclusive) are background. */
    public LabelArray withCleared(int[] starts, int[] ends, int count) {
        if (bytes != null) {
            byte[] b = bytes.clone();
            for (int r = 0; r < count; r++) {
                Arrays.fill(b, starts[r], ends[r] + 1, (byte) 0);
            }
            return wrapUnsignedBytes(b);
        }
        int[] v = ints.clone();
        for (int r = 0; r < count; r++) {
            Arrays.fill(v, starts[r], ends[r] + 1, 0);
        }
        return ofInts(v);
    }
}
