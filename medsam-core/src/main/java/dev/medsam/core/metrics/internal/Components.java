package dev.medsam.core.metrics.internal;

import java.util.Arrays;

/**
 * Connected components of a label grid (x fastest, up to three axes), found on runs: a run is a maximal
 * stretch of one non-zero label along x. Runs of the same label that touch (26-connectivity in 3D, 8 in 2D, or
 * 8 within each z slice in {@link Mode#SLICES}) are merged with a union-find. Iterative throughout, so a
 * 512x512x600 volume with one huge component needs no deep stack; memory is a few ints per run rather than per
 * voxel.
 *
 * <p>Voxels of different labels never join: each label's components are separate, as cc3d treats a
 * multi-label image (MedSAM's cleanup uses it).
 */
public final class Components {

    /** Which voxels count as touching. */
    public enum Mode {
        /** 26-connectivity in 3D, 8 in 2D. */
        VOLUME,
        /** 8-connectivity within each z slice; slices never join. */
        SLICES
    }

    private final int nx;
    private final int ny;
    private final int nz;
    private final int runCount;
    private final int[] runStart; // flat index of the first voxel
    private final int[] runEnd;   // flat index of the last voxel (inclusive)
    private final int[] runLabel;
    private final int[] runRow;   // y + ny * z
    private final int[] root;     // component root run of each run
    private final long[] rootSize; // voxels per component, indexed by root run (0 for non-roots)

    private Components(int nx, int ny, int nz, Runs runs, int[] root, long[] rootSize) {
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.runCount = runs.count;
        this.runStart = runs.start;
        this.runEnd = runs.end;
        this.runLabel = runs.label;
        this.runRow = runs.row;
        this.root = root;
        this.rootSize = rootSize;
    }

    /**
     * Finds the components of {@code labels} on a grid of {@code dims} (x, y[, z]).
     *
     * @throws IllegalArgumentException if dims do not match the label count or have more than three axes
     */
    public static Components find(LabelArray labels, int[] dims, Mode mode) {
        if (dims.length < 1 || dims.length > 3) {
            throw new IllegalArgumentException("components need 1..3 axes, got " + Arrays.toString(dims));
        }
        int nx = dims[0];
        int ny = dims.length > 1 ? dims[1] : 1;
        int nz = dims.length > 2 ? dims[2] : 1;
        if ((long) nx * ny * nz != labels.length()) {
            throw new IllegalArgumentException("grid " + Arrays.toString(dims) + " does not hold " + labels.length() + " labels");
        }
        Runs runs = Runs.of(labels, nx, ny, nz);
        int[] parent = new int[runs.count];
        for (int r = 0; r < parent.length; r++) {
            parent[r] = r;
        }
        boolean threeD = mode == Mode.VOLUME && nz > 1;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                int row = y + ny * z;
                if (y > 0) {
                    joinRows(runs, parent, row, row - 1);
                }
                if (threeD && z > 0) {
                    int below = row - ny;
                    joinRows(runs, parent, row, below);
                    if (y > 0) {
                        joinRows(runs, parent, row, below - 1);
                    }
                    if (y + 1 < ny) {
                        joinRows(runs, parent, row, below + 1);
                    }
                }
            }
        }
        int[] root = new int[runs.count];
        long[] rootSize = new long[runs.count];
        for (int r = 0; r < runs.count; r++) {
            int top = find(parent, r);
            root[r] = top;
            rootSize[top] += runs.end[r] - runs.start[r] + 1L;
        }
        return new Components(nx, ny, nz, runs, root, rootSize);
    }

    /** Unions every run of {@code row} with the runs of {@code other} (an earlier row) it touches. */
    private static void joinRows(Runs runs, int[] parent, int row, int other) {
        int a = runs.rowFirst[row];
        int aEnd = runs.rowFirst[row + 1];
        int b = runs.rowFirst[other];
        int bEnd = runs.rowFirst[other + 1];
        if (a == aEnd || b == bEnd) {
            return;
        }
        int aBase = runs.rowBase(row);
        int bBase = runs.rowBase(other);
        for (; a < aEnd; a++) {
            int aFrom = runs.start[a] - aBase - 1; // diagonal neighbours along x count
            int aTo = runs.end[a] - aBase + 1;
            // Runs of the other row that end before aFrom can touch no later run of this row either.
            while (b < bEnd && runs.end[b] - bBase < aFrom) {
                b++;
            }
            for (int c = b; c < bEnd && runs.start[c] - bBase <= aTo; c++) {
                if (runs.label[c] == runs.label[a]) {
                    union(parent, a, c);
                }
            }
        }
    }

    private static int find(int[] parent, int r) {
        while (parent[r] != r) {
            parent[r] = parent[parent[r]]; // path halving
            r = parent[r];
        }
        return r;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            // The smaller index becomes the root: deterministic, and roots stay the earliest run.
            if (ra < rb) {
                parent[rb] = ra;
            } else {
                parent[ra] = rb;
            }
        }
    }

    /** Number of runs. */
    public int runCount() {
        return runCount;
    }

    public int runLabel(int run) {
        return runLabel[run];
    }

    /** Flat index of the run's first voxel. */
    public int runStart(int run) {
        return runStart[run];
    }

    /** Flat index of the run's last voxel (inclusive). */
    public int runEnd(int run) {
        return runEnd[run];
    }

    /** Row index ({@code y + ny * z}) of the run. */
    public int runRow(int run) {
        return runRow[run];
    }

    /** The component (identified by its first run) the run belongs to. */
    public int componentOf(int run) {
        return root[run];
    }

    /** Whether the run is the first of its component (exactly one per component). */
    public boolean isComponentRoot(int run) {
        return root[run] == run;
    }

    /** Voxels in the component whose root is {@code rootRun}. */
    public long componentSize(int rootRun) {
        return rootSize[rootRun];
    }

    public int nx() {
        return nx;
    }

    public int ny() {
        return ny;
    }

    public int nz() {
        return nz;
    }

    /**
     * A copy of {@code labels} without the components of fewer than {@code minVoxels} voxels (they become
     * background), and how many were removed.
     */
    public Cleaned removeSmallerThan(LabelArray labels, long minVoxels) {
        int[] starts = new int[Math.max(1, runCount)];
        int[] ends = new int[starts.length];
        int cleared = 0;
        int removedComponents = 0;
        for (int r = 0; r < runCount; r++) {
            if (rootSize[root[r]] < minVoxels) {
                starts[cleared] = runStart[r];
                ends[cleared] = runEnd[r];
                cleared++;
                if (root[r] == r) {
                    removedComponents++;
                }
            }
        }
        return new Cleaned(cleared == 0 ? labels : labels.withCleared(starts, ends, cleared), removedComponents);
    }

    /** A cleaned label array and the number of components taken out. */
    public record Cleaned(LabelArray labels, int removedComponents) {
    }

    /** The runs of a grid, row by row (rows ordered y fastest, then z), each row's runs ordered by x. */
    private static final class Runs {
        int count;
        int[] start;
        int[] end;
        int[] label;
        int[] row;
        final int[] rowFirst; // rowFirst[r] .. rowFirst[r + 1] - 1 are the runs of row r
        final int nx;

        private Runs(int rows, int nx, int capacity) {
            this.rowFirst = new int[rows + 1];
            this.nx = nx;
            start = new int[capacity];
            end = new int[capacity];
            label = new int[capacity];
            row = new int[capacity];
        }

        int rowBase(int r) {
            return r * nx;
        }

        static Runs of(LabelArray labels, int nx, int ny, int nz) {
            int rows = ny * nz;
            Runs runs = new Runs(rows, nx, 1024);
            for (int r = 0; r < rows; r++) {
                runs.rowFirst[r] = runs.count;
                int base = r * nx;
                int x = 0;
                while (x < nx) {
                    int v = labels.get(base + x);
                    if (v == 0) {
                        x++;
                        continue;
                    }
                    int from = x;
                    while (x + 1 < nx && labels.get(base + x + 1) == v) {
                        x++;
                    }
                    runs.add(base + from, base + x, v, r);
                    x++;
                }
            }
            runs.rowFirst[rows] = runs.count;
            return runs;
        }

        private void add(int s, int e, int l, int r) {
            if (count == start.length) {
                int grown = (int) Math.min(Integer.MAX_VALUE - 16L, start.length * 2L);
                if (grown == count) {
                    throw new IllegalStateException("more than " + count + " runs in one label volume");
                }
                start = Arrays.copyOf(start, grown);
                end = Arrays.copyOf(end, grown);
                label = Arrays.copyOf(label, grown);
                row = Arrays.copyOf(row, grown);
            }
            start[count] = s;
            end[count] = e;
            label[count] = l;
            row[count] = r;
            count++;
        }
    }
}
