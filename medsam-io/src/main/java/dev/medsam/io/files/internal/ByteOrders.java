package dev.medsam.io.files.internal;

/** In-place byte swapping of packed values. */
public final class ByteOrders {

    private ByteOrders() {
    }

    /** Reverses the bytes of each {@code width}-byte value in {@code a[from, to)}. */
    public static void swap(byte[] a, int from, int to, int width) {
        if (width <= 1) {
            return;
        }
        for (int i = from; i + width <= to; i += width) {
            for (int lo = i, hi = i + width - 1; lo < hi; lo++, hi--) {
                byte t = a[lo];
                a[lo] = a[hi];
                a[hi] = t;
            }
        }
    }

    /** Reverses the bytes of each {@code width}-byte value in the whole array. */
    public static void swap(byte[] a, int width) {
        swap(a, 0, a.length, width);
    }
}
