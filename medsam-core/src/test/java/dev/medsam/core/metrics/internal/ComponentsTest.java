package dev.medsam.core.metrics.internal;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ComponentsTest {

    record Grid(int[] dims, int[] labels) {
        @Override
        public String toString() {
            return "dims " + Arrays.toString(dims) + " labels " + Arrays.toString(labels);
        }
    }

    @Provide
    Arbitrary<Grid> grids() {
        Arbitrary<int[]> dims = Arbitraries.integers().between(2, 3).flatMap(rank ->
                Arbitraries.integers().between(1, 8).array(int[].class).ofSize(rank));
        return Combinators.combine(dims, Arbitraries.longs(), Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(10, 70)).as((d, seed, labelCount, density) -> {
            Random random = new Random(seed);
            int n = Arrays.stream(d).reduce(1, (a, b) -> a * b);
            int[] l = new int[n];
            for (int i = 0; i < n; i++) {
                l[i] = random.nextInt(100) < density ? 1 + random.nextInt(labelCount) : 0;
            }
            return new Grid(d, l);
        });
    }

    /** Component sizes per voxel by breadth-first flood fill over all neighbours within the given reach. */
    private static long[] floodFillSizes(int[] dims, int[] labels, boolean slices) {
        int nx = dims[0], ny = dims[1], nz = dims.length > 2 ? dims[2] : 1;
        int dzMax = dims.length > 2 && !slices ? 1 : 0;
        long[] size = new long[labels.length];
        boolean[] seen = new boolean[labels.length];
        for (int start = 0; start < labels.length; start++) {
            if (labels[start] == 0 || seen[start]) {
                continue;
            }
            List<Integer> members = new ArrayList<>();
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            queue.add(start);
            seen[start] = true;
            while (!queue.isEmpty()) {
                int v = queue.poll();
                members.add(v);
                int x = v % nx, y = v / nx % ny, z = v / (nx * ny);
                for (int dz = -dzMax; dz <= dzMax; dz++) {
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int X = x + dx, Y = y + dy, Z = z + dz;
                            if (X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= ny || Z >= nz) {
                                continue;
                            }
                            int w = X + nx * (Y + ny * Z);
                            if (!seen[w] && labels[w] == labels[start]) {
                                seen[w] = true;
                                queue.add(w);
                            }
                        }
                    }
                }
            }
            for (int m : members) {
                size[m] = members.size();
            }
        }
        return size;
    }

    private static long[] runSizes(Components cc, int n) {
        long[] size = new long[n];
        for (int r = 0; r < cc.runCount(); r++) {
            for (int i = cc.runStart(r); i <= cc.runEnd(r); i++) {
                size[i] = cc.componentSize(cc.componentOf(r));
            }
        }
        return size;
    }

    private static int components(Components cc) {
        int k = 0;
        for (int r = 0; r < cc.runCount(); r++) {
            k += cc.isComponentRoot(r) ? 1 : 0;
        }
        return k;
    }

    private static int floodFillCount(int[] labels, long[] sizes) {
        // Each component of size s contributes s voxels of "1/s".
        double k = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0) {
                k += 1.0 / sizes[i];
            }
        }
        return (int) Math.round(k);
    }

    @Property(tries = 400)
    void sameComponentsAsFloodFill(@ForAll("grids") Grid g) {
        for (Components.Mode mode : Components.Mode.values()) {
            Components cc = Components.find(LabelArray.ofInts(g.labels.clone()), g.dims, mode);
            long[] expected = floodFillSizes(g.dims, g.labels, mode == Components.Mode.SLICES);
            assertArrayEquals(expected, runSizes(cc, g.labels.length), mode.toString());
            assertEquals(floodFillCount(g.labels, expected), components(cc), mode.toString());
        }
    }

    @Property(tries = 200)
    void cleanupRemovesExactlyTheSmallComponents(@ForAll("grids") Grid g, @ForAll("minimum") int min) {
        LabelArray labels = LabelArray.ofInts(g.labels.clone());
        Components cc = Components.find(labels, g.dims, Components.Mode.VOLUME);
        int[] cleaned = cc.removeSmallerThan(labels, min).labels().toIntArray();
        long[] sizes = floodFillSizes(g.dims, g.labels, false);
        for (int i = 0; i < cleaned.length; i++) {
            int expected = g.labels[i] != 0 && sizes[i] >= min ? g.labels[i] : 0;
            assertEquals(expected, cleaned[i], "voxel " + i);
        }
    }

    @Provide
    Arbitrary<Integer> minimum() {
        return Arbitraries.integers().between(0, 12);
    }

    @Test
    void cornerTouchingVoxelsJoinIn3dButSlicesStaySeparate() {
        int[] dims = {2, 2, 2};
        int[] labels = new int[8];
        labels[0] = 1;                  // (0, 0, 0)
        labels[1 + 2 * (1 + 2)] = 1;    // (1, 1, 1)
        assertEquals(1, components(Components.find(LabelArray.ofInts(labels), dims, Components.Mode.VOLUME)));
        assertEquals(2, components(Components.find(LabelArray.ofInts(labels), dims, Components.Mode.SLICES)));
    }

    @Test
    void differentLabelsNeverJoin() {
        int[] labels = {1, 2, 2, 1, 1, 2};
        Components cc = Components.find(LabelArray.ofInts(labels), new int[] {6, 1}, Components.Mode.VOLUME);
        assertEquals(4, components(cc));
    }

    @Test
    void oneHugeComponentNeedsNoDeepStack() {
        // A serpentine through a 200x200x10 volume: one component of 200 * 100 * 10 + turns, found iteratively.
        int nx = 200, ny = 200, nz = 10;
        byte[] b = new byte[nx * ny * nz];
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y += 2) {
                for (int x = 0; x < nx; x++) {
                    b[x + nx * (y + ny * z)] = 1;
                }
                if (y + 1 < ny) {
                    int x = (y / 2) % 2 == 0 ? nx - 1 : 0;
                    b[x + nx * (y + 1 + ny * z)] = 1;
                }
            }
        }
        Components cc = Components.find(LabelArray.wrapUnsignedBytes(b), new int[] {nx, ny, nz}, Components.Mode.VOLUME);
        assertEquals(1, components(cc));
    }
}
