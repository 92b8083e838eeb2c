package dev.medsam.core.volume;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A deterministic stand-in for MedSAM on one slice: the mask of a box is the set of plane pixels that are
 * non-zero in the slice image (the "object") and whose centres lie inside the box. So masks follow the object as
 * long as the box covers it, and come out empty when the box misses it, which is what propagation logic needs.
 * Records every call.
 */
final class TruthSegmenter implements SliceSegmenter {

    /** One call: the slice and the boxes asked for. */
    record Call(int axis, int slice, List<Box> boxes, String cacheKey) {
    }

    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

    @Override
    public List<BinaryMask> segment(VolumeSlice slice, List<Box> boxes) {
        calls.add(new Call(slice.axis(), slice.index(), List.copyOf(boxes), slice.cacheKey()));
        int w = slice.image().width();
        int h = slice.image().height();
        List<BinaryMask> out = new ArrayList<>();
        for (Box b : boxes) {
            byte[] bits = new byte[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean inBox = x >= b.x0() && x <= b.x1() && y >= b.y0() && y <= b.y1();
                    if (inBox && slice.image().get((long) y * w + x) != 0) {
                        bits[y * w + x] = 1;
                    }
                }
            }
            out.add(BinaryMask.of(w, h, bits));
        }
        return out;
    }

    /** The slices in call order. */
    List<Integer> order() {
        List<Integer> z = new ArrayList<>();
        for (Call c : calls) {
            z.add(c.slice());
        }
        return z;
    }

    @Override
    public String toString() {
        return "TruthSegmenter";
    }
}
