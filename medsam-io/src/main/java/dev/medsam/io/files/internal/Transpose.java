package dev.medsam.io.files.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams an array stored first-axis-fastest (Fortran order, as NIfTI and {@code MedicalImage} store voxels)
 * in last-axis-fastest (C) order of the same dims, in chunks, without a full second copy: a block of
 * first-axis positions is gathered at a time (at most {@link #BLOCK_BYTES}, or one plane when a plane is
 * larger).
 */
public final class Transpose {

    /** Target size of the gather buffer. */
    static final int BLOCK_BYTES = 32 << 20;

    /** Receives consecutive chunks of the C-order byte stream. */
    @FunctionalInterface
    public interface Sink {
        void accept(byte[] chunk, int offset, int length);
    }

    private Transpose() {
    }

    /**
     * Feeds {@code data} (remaining bytes, {@code elementBytes} per element, first axis fastest with shape
     * {@code dims}) to {@code sink} in C order of {@code dims}. An element may be several bytes (an RGB voxel);
     * its bytes stay together.
     */
    public static void fortranToC(ByteBuffer data, int[] dims, int elementBytes, Sink sink) {
        // Singleton axes change neither order, so drop them: this also keeps the block small when x is 1.
        List<Integer> kept = new ArrayList<>();
        for (int d : dims) {
            if (d != 1) {
                kept.add(d);
            }
        }
        ByteBuffer src = data.duplicate();
        if (!src.hasRemaining()) {
            // An empty array (some axis is 0): nothing to feed. Walking the other axes anyway would step past
            // Integer.MAX_VALUE when one of them is that large, as a mangled header may claim, and never end.
            return;
        }
        int base = src.position();
        if (kept.size() <= 1) {
            byte[] chunk = new byte[Math.min(src.remaining(), 1 << 20)];
            while (src.remaining() > 0) {
                int n = Math.min(chunk.length, src.remaining());
                src.get(chunk, 0, n);
                sink.accept(chunk, 0, n);
            }
            return;
        }
        int rank = kept.size();
        int[] n = new int[rank];
        for (int i = 0; i < rank; i++) {
            n[i] = kept.get(i);
        }
        // Storage strides (in elements) of each axis, first axis fastest.
        long[] stride = new long[rank];
        stride[0] = 1;
        for (int i = 1; i < rank; i++) {
            stride[i] = stride[i - 1] * n[i - 1];
        }
        long rest = 1; // elements per first-axis position: n[1] * ... * n[rank-1]
        for (int i = 1; i < rank; i++) {
            rest *= n[i];
        }
        long planeBytes = rest * elementBytes;
        int block = (int) Math.max(1, Math.min(n[0], BLOCK_BYTES / Math.max(1, planeBytes)));
        byte[] buffer = new byte[Math.toIntExact(block * planeBytes)];
        int[] idx = new int[rank];
        for (int x0 = 0; x0 < n[0]; x0 += block) {
            int b = Math.min(block, n[0] - x0);
            // Walk axes 1..rank-1 in C order (last fastest); for each position copy b contiguous elements.
            java.util.Arrays.fill(idx, 0);
            for (long c = 0; c < rest; c++) {
                long offset = x0;
                for (int a = 1; a < rank; a++) {
                    offset += idx[a] * stride[a];
                }
                int from = Math.toIntExact(base + offset * elementBytes);
                for (int k = 0; k < b; k++) {
                    src.get(from + k * elementBytes, buffer, Math.toIntExact((k * rest + c) * elementBytes), elementBytes);
                }
                for (int a = rank - 1; a >= 1; a--) {
                    if (++idx[a] < n[a]) {
                        break;
                    }
                    idx[a] = 0;
                }
            }
            sink.accept(buffer, 0, Math.toIntExact(b * planeBytes));
        }
    }
}
