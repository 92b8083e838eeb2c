package dev.medsam.core.volume;

import dev.medsam.core.Box;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What prompts one object in a volume: boxes on one or more <em>key slices</em> and the range of slices to cover.
 * Slices are indices along the slicing axis ({@link PropagationOptions#axis()}, the volume's third axis by
 * default); boxes are in the slice plane's pixels, as {@link Box} (x along the plane's columns, y along its rows).
 *
 * <h2>How the prompt is used (see {@link VolumeSegmenter})</h2>
 * <ul>
 *   <li>Propagation starts at the {@link #startSlice()}: for a 3D box the middle slice
 *       {@code z0 + (z1 - z0) / 2} (integer division, the reference's {@code int((z_max - z_min) / 2 + z_min)}),
 *       for key boxes the key slice whose box has the largest area (the lowest such slice on ties), as MedSAM's
 *       sparse-marker script chooses it.</li>
 *   <li>A key slice is always segmented with its own key box.</li>
 *   <li>Any other slice takes the bounding box of the mask found on its neighbour towards the start slice, grown
 *       by the margin; when that mask is empty, it takes the key box of the <em>nearest key slice</em> (the lower
 *       one on ties). For a 3D box the only key box is the given box on the middle slice, so an empty mask falls
 *       back to the given xy box, as the CVPR 2024 reference does.</li>
 *   <li>The range {@link #firstSlice()}..{@link #lastSlice()} (both inclusive) is covered; optionally
 *       propagation continues beyond it while masks stay non-empty ({@link PropagationOptions.Builder#extendUntilEmpty}).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * VolumePrompt liver = VolumePrompt.ofBox3d(95, 255, 0, 190, 350, 2);     // [x0, y0, z0, x1, y1, z1]
 * VolumePrompt lesion = VolumePrompt.ofKeyBoxes(Map.of(40, new Box(200, 210, 240, 260),
 *                                                      48, new Box(205, 215, 236, 250)));
 * }</pre>
 */
public final class VolumePrompt {

    private final SortedMap<Integer, Box> keyBoxes;
    private final int firstSlice;
    private final int lastSlice;
    private final int startSlice;

    private VolumePrompt(SortedMap<Integer, Box> keyBoxes, int firstSlice, int lastSlice, int startSlice) {
        this.keyBoxes = Collections.unmodifiableSortedMap(keyBoxes);
        this.firstSlice = firstSlice;
        this.lastSlice = lastSlice;
        this.startSlice = startSlice;
    }

    /**
     * A 3D box as the CVPR 2024 challenge gives it: {@code [x0, y0, z0, x1, y1, z1]} in voxel indices, z1
     * inclusive. The xy box is the key box of the middle slice {@code z0 + (z1 - z0) / 2}.
     *
     * @throws IllegalArgumentException if the xy box is empty or inverted, a slice is negative or
     *                                  {@code z1 < z0}
     */
    public static VolumePrompt ofBox3d(double x0, double y0, int z0, double x1, double y1, int z1) {
        Box xy = new Box(x0, y0, x1, y1);
        checkRange(z0, z1);
        int middle = z0 + (z1 - z0) / 2;
        TreeMap<Integer, Box> boxes = new TreeMap<>();
        boxes.put(middle, xy);
        return new VolumePrompt(boxes, z0, z1, middle);
    }

    /**
     * A 3D box from a row of six numbers {@code [x0, y0, z0, x1, y1, z1]} (a row of the challenge's
     * {@code boxes} array); the z values must be whole numbers.
     *
     * @throws IllegalArgumentException if there are not six values, a z value is not a whole number, or as
     *                                  {@link #ofBox3d(double, double, int, double, double, int)}
     */
    public static VolumePrompt ofBox3d(double[] x0y0z0x1y1z1) {
        Objects.requireNonNull(x0y0z0x1y1z1, "box");
        double[] b = x0y0z0x1y1z1;
        if (b.length != 6) {
            throw new IllegalArgumentException("a 3D box has six values [x0, y0, z0, x1, y1, z1], got " + b.length);
        }
        return ofBox3d(b[0], b[1], sliceIndex("z0", b[2]), b[3], b[4], sliceIndex("z1", b[5]));
    }

    /**
     * Boxes on a few key slices; the range is the lowest to the highest key slice.
     *
     * @param boxes slice index to box; at least one
     * @throws IllegalArgumentException if there are no boxes or a slice index is negative
     */
    public static VolumePrompt ofKeyBoxes(Map<Integer, Box> boxes) {
        TreeMap<Integer, Box> sorted = copy(boxes);
        return ofKeyBoxes(sorted, sorted.firstKey(), sorted.lastKey());
    }

    /**
     * Boxes on a few key slices and an explicit range that contains them (to cover slices beyond the outermost
     * key slices).
     *
     * @throws IllegalArgumentException if there are no boxes, the range is inverted or negative, or a key slice
     *                                  lies outside it
     */
    public static VolumePrompt ofKeyBoxes(Map<Integer, Box> boxes, int firstSlice, int lastSlice) {
        TreeMap<Integer, Box> sorted = copy(boxes);
        checkRange(firstSlice, lastSlice);
        if (sorted.firstKey() < firstSlice || sorted.lastKey() > lastSlice) {
            throw new IllegalArgumentException("key slices " + sorted.keySet() + " must lie within the range "
                    + firstSlice + ".." + lastSlice);
        }
        int start = sorted.firstKey();
        double bestArea = -1;
        for (Map.Entry<Integer, Box> e : sorted.entrySet()) {
            double area = e.getValue().width() * e.getValue().height();
            if (area > bestArea) {
                bestArea = area;
                start = e.getKey();
            }
        }
        return new VolumePrompt(sorted, firstSlice, lastSlice, start);
    }

    private static TreeMap<Integer, Box> copy(Map<Integer, Box> boxes) {
        Objects.requireNonNull(boxes, "key boxes");
        if (boxes.isEmpty()) {
            throw new IllegalArgumentException("give at least one key box");
        }
        TreeMap<Integer, Box> sorted = new TreeMap<>();
        for (Map.Entry<Integer, Box> e : boxes.entrySet()) {
            int slice = Objects.requireNonNull(e.getKey(), "slice index");
            if (slice < 0) {
                throw new IllegalArgumentException("key slice index must be 0 or more, got " + slice);
            }
            sorted.put(slice, Objects.requireNonNull(e.getValue(), "box of key slice " + slice));
        }
        return sorted;
    }

    private static void checkRange(int first, int last) {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("slice range " + first + ".." + last
                    + " is invalid: slices are 0 or more and the last must not be below the first");
        }
    }

    private static int sliceIndex(String name, double v) {
        if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be a whole slice index of 0 or more, got " + v);
        }
        return (int) v;
    }

    /** The key boxes by slice, ascending (read-only). */
    public SortedMap<Integer, Box> keyBoxes() {
        return keyBoxes;
    }

    /** The first slice of the range (inclusive). */
    public int firstSlice() {
        return firstSlice;
    }

    /** The last slice of the range (inclusive). */
    public int lastSlice() {
        return lastSlice;
    }

    /** The slice propagation starts from (a key slice). */
    public int startSlice() {
        return startSlice;
    }

    /** The key box on {@code slice}, if it is a key slice. */
    public Optional<Box> keyBox(int slice) {
        return Optional.ofNullable(keyBoxes.get(slice));
    }

    /** The box of the key slice nearest to {@code slice} (the lower one on ties): the fallback for empty masks. */
    public Box nearestKeyBox(int slice) {
        Integer below = keyBoxes.containsKey(slice) ? Integer.valueOf(slice) : lowerKey(slice);
        Integer above = higherKey(slice);
        if (below == null) {
            return keyBoxes.get(above);
        }
        if (above == null || slice - below <= above - slice) {
            return keyBoxes.get(below);
        }
        return keyBoxes.get(above);
    }

    private Integer lowerKey(int slice) {
        SortedMap<Integer, Box> head = keyBoxes.headMap(slice);
        return head.isEmpty() ? null : head.lastKey();
    }

    private Integer higherKey(int slice) {
        SortedMap<Integer, Box> tail = keyBoxes.tailMap(slice);
        return tail.isEmpty() ? null : tail.firstKey();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VolumePrompt p && p.keyBoxes.equals(keyBoxes) && p.firstSlice == firstSlice
                && p.lastSlice == lastSlice && p.startSlice == startSlice;
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyBoxes, firstSlice, lastSlice, startSlice);
    }

    @Override
    public String toString() {
        return "VolumePrompt[slices " + firstSlice + ".." + lastSlice + ", start " + startSlice + ", key boxes "
                + keyBoxes + "]";
    }
}
