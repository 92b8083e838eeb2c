package dev.medsam.core.metrics.internal;

/**
 * Surface element sizes by neighbourhood code, as the surface-distance metrics of DeepMind's library (which
 * the MedSAM challenge's evaluation uses) define them.
 *
 * <h2>Codes</h2>
 * A code describes the 2x2x2 voxels (2x2 pixels in 2D) around one voxel corner. The corner with index
 * {@code (i, j, k)} sits between voxels {@code i-1, i} along x, {@code j-1, j} along y and {@code k-1, k} along
 * z; the voxel at offset {@code (a, b, c)} (each 0 or 1, i.e. voxel {@code (i-1+a, j-1+b, k-1+c)}) sets bit
 * {@code 7 - (4a + 2b + c)} when it is inside the object. In 2D the pixel at offset {@code (a, b)} sets bit
 * {@code 3 - (2a + b)}. Codes 0 and 255 (0 and 15 in 2D) are not on the surface.
 *
 * <h2>Sizes</h2>
 * 3D: the marching-cubes triangles of each code, given as one normal per triangle whose length is the
 * triangle's area in a unit-spacing grid (the numbers of the reference's lookup table, all multiples of 1/8,
 * stored here times 8). With spacing {@code (sx, sy, sz)} a normal {@code (n0, n1, n2)} becomes
 * {@code (n0 sy sz, n1 sx sz, n2 sx sy)} and its length is the area in mm^2; a code's area is the sum over its
 * triangles. 2D: marching squares, the length in mm of the contour piece inside the 2x2 cell (an edge through
 * two mid-points: one spacing; a corner cut: half the cell diagonal; the two saddles: two corner cuts).
 *
 * <p>The table is the same under every permutation and mirroring of the axes (with the spacing permuted
 * alike) and under swapping inside and outside; the tests check this, which also guards the transcription.
 */
public final class NeighbourhoodAreas {

    /** Bit of the voxel at offset (a, b, c) of a 2x2x2 neighbourhood. */
    public static int bit3d(int a, int b, int c) {
        return 1 << (7 - (4 * a + 2 * b + c));
    }

    /** Bit of the pixel at offset (a, b) of a 2x2 neighbourhood. */
    public static int bit2d(int a, int b) {
        return 1 << (3 - (2 * a + b));
    }

    /**
     * Per code, the triangle normals times 8, three numbers per triangle (none for codes 0 and 255).
     * Transcribed from the lookup table of DeepMind's surface-distance library (data, generated there with
     * marching cubes).
     */
    private static final byte[][] NORMALS_X8 = {
        {},
        {1, 1, 1},
        {-1, -1, 1},
        {-2, -2, 0, 2, 2, 0},
        {1, -1, 1},
        {-2, 0, -2, 2, 0, 2},
        {1, -1, 1, -1, -1, 1},
        {4, 0, 0, 2, 2, 2, 1, 1, 1},
        {-1, 1, 1},
        {1, 1, 1, -1, 1, 1},
        {-2, 0, 2, -2, 0, 2},
        {4, 0, 0, -2, -2, 2, -1, -1, 1},
        {2, -2, 0, 2, -2, 0},
        {4, 0, 0, 2, -2, 2, -1, 1, -1},
        {-4, 0, 0, -2, 2, 2, -1, 1, 1},
        {4, 0, 0, 4, 0, 0},
        {1, -1, -1},
        {0, -2, -2, 0, 2, 2},
        {-1, -1, 1, 1, -1, -1},
        {0, -4, 0, 2, 2, 2, 1, 1, 1},
        {1, -1, 1, 1, -1, -1},
        {0, 0, -4, 2, 2, 2, -1, -1, -1},
        {-1, -1, 1, 1, -1, 1, 1, -1, -1},
        {-1, -1, -1, -2, -2, -2, 2, 2, 2, 1, 1, 1},
        {-1, 1, 1, 1, -1, -1},
        {0, -2, -2, 0, 2, 2, -1, 1, 1},
        {-2, 0, 2, -2, 0, 2, 1, -1, -1},
        {1, 1, 1, 3, 3, 3, 0, -2, 2, -2, 0, 2},
        {1, -1, -1, 2, -2, 0, 2, -2, 0},
        {3, 3, 3, 0, 2, -2, -1, -1, -1, -2, 2, 0},
        {-4, 0, 0, -1, -1, -1, -2, -2, -2, 1, 1, 1},
        {-4, 0, 0, -1, -1, -1, -2, -2, -2},
        {1, -1, 1},
        {1, 1, 1, 1, -1, 1},
        {0, -2, 2, 0, 2, -2},
        {0, -4, 0, 1, 1, -1, 2, 2, -2},
        {1, -1, 1, 1, -1, 1},
        {1, -1, 1, -2, 0, -2, 2, 0, 2},
        {0, -2, 2, 0, 2, -2, 1, -1, 1},
        {-3, -3, 3, 0, 2, 2, 1, 1, -1, -2, 0, -2},
        {-1, 1, 1, 1, -1, 1},
        {1, 1, 1, 1, -1, 1, -1, 1, 1},
        {0, 0, 4, -2, -2, 2, -1, -1, 1},
        {2, 2, -2, 2, 2, -2, 1, 1, -1, -1, -1, 1},
        {1, -1, 1, 2, -2, 0, 2, -2, 0},
        {4, 0, 0, 2, -2, 2, -1, 1, -1, 1, -1, 1},
        {0, 2, -2, 3, -3, -3, -1, 1, 1, 2, 2, 0},
        {-4, 0, 0, -2, -2, 2, -1, -1, 1},
        {2, -2, 0, -2, 2, 0},
        {0, 4, 0, -2, 2, 2, 1, -1, -1},
        {0, 4, 0, 1, -1, 1, -2, 2, -2},
        {0, 4, 0, 0, -4, 0},
        {2, -2, 0, -2, 2, 0, 1, -1, 1},
        {-3, -3, -3, -2, 0, 2, -1, -1, -1, -2, 2, 0},
        {1, 1, 1, 0, -4, 0, -2, -2, -2, -1, -1, -1},
        {0, -4, 0, -2, -2, -2, -1, -1, -1},
        {-1, 1, 1, 2, -2, 0, -2, 2, 0},
        {0, 4, 0, 2, 2, -2, -1, -1, 1, -1, -1, 1},
        {-3, 3, -3, -2, -2, 0, -1, 1, -1, -2, 0, 2},
        {0, 4, 0, 2, 2, -2, -1, -1, 1},
        {2, -2, 0, -2, 2, 0, 2, -2, 0, 2, -2, 0},
        {-2, -2, 0, -2, -2, 0, -1, -1, 1},
        {1, 1, 1, -2, -2, 0, -2, -2, 0},
        {-2, -2, 0, -2, -2, 0},
        {-1, -1, 1},
        {1, 1, 1, -1, -1, 1},
        {-1, -1, 1, -1, -1, 1},
        {-1, -1, 1, -2, -2, 0, 2, 2, 0},
        {0, -2, 2, 0, -2, 2},
        {0, 0, 4, 2, -2, 2, 1, -1, 1},
        {0, -2, 2, 0, -2, 2, -1, -1, 1},
        {3, -3, 3, 0, -2, -2, -1, 1, -1, 2, 2, 0},
        {-1, -1, 1, -1, 1, 1},
        {1, 1, 1, -1, -1, 1, -1, 1, 1},
        {-1, -1, 1, -2, 0, 2, -2, 0, 2},
        {4, 0, 0, -2, -2, 2, -1, -1, 1, -1, -1, 1},
        {0, 4, 0, -2, 2, -2, 1, -1, 1},
        {-2, 2, -2, -2, 2, -2, -1, 1, -1, -1, 1, -1},
        {-2, 0, -2, 3, -3, -3, 0, 2, -2, -1, 1, 1},
        {4, 0, 0, -2, 2, -2, 1, -1, 1},
        {-2, 0, 2, 2, 0, -2},
        {0, 0, 4, -2, 2, 2, -1, 1, 1},
        {-1, -1, 1, -2, 0, 2, 2, 0, -2},
        {-2, 0, -2, -3, 3, 3, -2, -2, 0, -1, 1, 1},
        {0, 0, -4, 2, 2, -2, -1, -1, 1},
        {0, 0, 4, 0, 0, 4},
        {1, 1, 1, 1, 1, 1, 2, 2, 2, 0, 0, 4},
        {1, 1, 1, 2, 2, 2, 0, 0, 4},
        {-2, 0, 2, 2, 0, -2, -1, 1, 1},
        {0, 0, 4, 2, -2, 2, 1, -1, 1, 1, -1, 1},
        {-2, 0, 2, -2, 0, 2, -2, 0, 2, 2, 0, -2},
        {1, -1, 1, 2, 0, 2, 2, 0, 2},
        {2, 0, 2, -3, -3, 3, -2, 2, 0, -1, -1, 1},
        {0, 0, 4, 2, -2, 2, 1, -1, 1},
        {1, 1, 1, 2, 0, 2, 2, 0, 2},
        {2, 0, 2, 2, 0, 2},
        {-1, -1, 1, 1, -1, 1},
        {1, 1, 1, -1, -1, 1, 1, -1, 1},
        {-1, -1, 1, 0, -2, 2, 0, 2, -2},
        {0, -4, 0, 1, 1, -1, 2, 2, -2, -1, -1, 1},
        {0, -2, 2, 0, -2, 2, 1, -1, 1},
        {0, 0, 4, 2, -2, 2, 1, -1, 1, 1, -1, 1},
        {0, -2, 2, 0, -2, 2, 0, -2, 2, 0, 2, -2},
        {0, 2, 2, 0, 2, 2, 1, -1, -1},
        {-1, 1, 1, 1, -1, 1, -1, -1, 1},
        {-1, 1, 1, 1, -1, 1, -1, -1, 1, 1, 1, 1},
        {0, 0, 4, -2, -2, 2, -1, -1, 1, -1, -1, 1},
        {1, 1, 1, 1, -1, 1, 1, -1, -1},
        {0, 4, 0, -2, 2, -2, 1, -1, 1, 1, -1, 1},
        {1, 1, 1, -1, -1, 1, 1, -1, -1},
        {0, -2, -2, 0, 2, 2, 1, 1, 1},
        {1, 1, 1, 1, -1, -1},
        {4, 0, 0, 2, -2, -2, 1, -1, -1},
        {-2, 2, 2, -1, 1, 1, -2, 2, 2, 1, -1, -1},
        {3, -3, 3, 0, 2, 2, -1, 1, -1, -2, 0, 2},
        {0, -4, 0, -2, 2, 2, -1, 1, 1},
        {-3, -3, 3, 2, -2, 0, 0, 2, 2, -1, -1, 1},
        {-1, 1, 1, -2, 2, 2, 0, 0, 4},
        {1, 1, 1, 0, 2, 2, 0, 2, 2},
        {0, 2, 2, 0, 2, 2},
        {4, 0, 0, 2, 2, 2, 1, 1, 1, 1, 1, 1},
        {1, -1, 1, -1, -1, 1, 1, 1, 1},
        {-2, 0, -2, 2, 0, 2, 1, 1, 1},
        {1, 1, 1, 1, -1, 1},
        {-2, -2, 0, 2, 2, 0, 1, 1, 1},
        {1, 1, 1, -1, -1, 1},
        {1, 1, 1, 1, 1, 1},
        {1, 1, 1},
        {1, 1, 1},
        {1, 1, 1, 1, 1, 1},
        {1, 1, 1, -1, -1, 1},
        {-2, -2, 0, 2, 2, 0, 1, 1, 1},
        {1, 1, 1, 1, -1, 1},
        {-2, 0, -2, 2, 0, 2, 1, 1, 1},
        {1, -1, 1, -1, -1, 1, 1, 1, 1},
        {4, 0, 0, 2, 2, 2, 1, 1, 1, 1, 1, 1},
        {0, 2, 2, 0, 2, 2},
        {1, 1, 1, 0, 2, 2, 0, 2, 2},
        {-1, 1, 1, -2, 2, 2, 0, 0, 4},
        {-3, -3, 3, 2, -2, 0, 0, 2, 2, -1, -1, 1},
        {0, -4, 0, -2, 2, 2, -1, 1, 1},
        {3, -3, 3, 0, 2, 2, -1, 1, -1, -2, 0, 2},
        {-2, 2, 2, -1, 1, 1, -2, 2, 2, 1, -1, -1},
        {4, 0, 0, 2, -2, -2, 1, -1, -1},
        {1, 1, 1, 1, -1, -1},
        {0, -2, -2, 0, 2, 2, 1, 1, 1},
        {1, 1, 1, -1, -1, 1, 1, -1, -1},
        {0, 4, 0, -2, 2, -2, 1, -1, 1, 1, -1, 1},
        {1, 1, 1, 1, -1, 1, 1, -1, -1},
        {0, 0, 4, -2, -2, 2, -1, -1, 1, -1, -1, 1},
        {-1, 1, 1, 1, -1, 1, -1, -1, 1, 1, 1, 1},
        {-1, 1, 1, 1, -1, 1, -1, -1, 1},
        {0, 2, 2, 0, 2, 2, 1, -1, -1},
        {0, -2, -2, 0, 2, 2, 0, 2, 2, 0, 2, 2},
        {0, 0, 4, 2, -2, 2, 1, -1, 1, 1, -1, 1},
        {0, -2, 2, 0, -2, 2, 1, -1, 1},
        {0, -4, 0, 1, 1, -1, 2, 2, -2, -1, -1, 1},
        {-1, -1, 1, 0, -2, 2, 0, 2, -2},
        {1, 1, 1, -1, -1, 1, 1, -1, 1},
        {-1, -1, 1, 1, -1, 1},
        {2, 0, 2, 2, 0, 2},
        {1, 1, 1, 2, 0, 2, 2, 0, 2},
        {0, 0, 4, 2, -2, 2, 1, -1, 1},
        {2, 0, 2, -3, -3, 3, -2, 2, 0, -1, -1, 1},
        {1, -1, 1, 2, 0, 2, 2, 0, 2},
        {-2, 0, -2, 2, 0, 2, 2, 0, 2, 2, 0, 2},
        {0, 0, 4, 2, -2, 2, 1, -1, 1, 1, -1, 1},
        {-2, 0, 2, 2, 0, -2, -1, 1, 1},
        {1, 1, 1, 2, 2, 2, 0, 0, 4},
        {1, 1, 1, 1, 1, 1, 2, 2, 2, 0, 0, 4},
        {0, 0, 4, 0, 0, 4},
        {0, 0, -4, 2, 2, -2, -1, -1, 1},
        {-2, 0, -2, -3, 3, 3, -2, -2, 0, -1, 1, 1},
        {-1, -1, 1, -2, 0, 2, 2, 0, -2},
        {0, 0, 4, -2, 2, 2, -1, 1, 1},
        {-2, 0, 2, 2, 0, -2},
        {4, 0, 0, -2, 2, -2, 1, -1, 1},
        {-2, 0, -2, 3, -3, -3, 0, 2, -2, -1, 1, 1},
        {-2, 2, -2, -2, 2, -2, -1, 1, -1, -1, 1, -1},
        {0, 4, 0, -2, 2, -2, 1, -1, 1},
        {4, 0, 0, -2, -2, 2, -1, -1, 1, -1, -1, 1},
        {-1, -1, 1, -2, 0, 2, -2, 0, 2},
        {1, 1, 1, -1, -1, 1, -1, 1, 1},
        {-1, -1, 1, -1, 1, 1},
        {3, -3, 3, 0, -2, -2, -1, 1, -1, 2, 2, 0},
        {0, -2, 2, 0, -2, 2, -1, -1, 1},
        {0, 0, 4, 2, -2, 2, 1, -1, 1},
        {0, -2, 2, 0, -2, 2},
        {-1, -1, 1, -2, -2, 0, 2, 2, 0},
        {-1, -1, 1, -1, -1, 1},
        {1, 1, 1, -1, -1, 1},
        {-1, -1, 1},
        {-2, -2, 0, -2, -2, 0},
        {1, 1, 1, -2, -2, 0, -2, -2, 0},
        {-2, -2, 0, -2, -2, 0, -1, -1, 1},
        {-2, -2, 0, -2, -2, 0, -2, -2, 0, 2, 2, 0},
        {0, 4, 0, 2, 2, -2, -1, -1, 1},
        {-3, 3, -3, -2, -2, 0, -1, 1, -1, -2, 0, 2},
        {0, 4, 0, 2, 2, -2, -1, -1, 1, -1, -1, 1},
        {-1, 1, 1, 2, -2, 0, -2, 2, 0},
        {0, -4, 0, -2, -2, -2, -1, -1, -1},
        {1, 1, 1, 0, -4, 0, -2, -2, -2, -1, -1, -1},
        {-3, -3, -3, -2, 0, 2, -1, -1, -1, -2, 2, 0},
        {2, -2, 0, -2, 2, 0, 1, -1, 1},
        {0, 4, 0, 0, -4, 0},
        {0, 4, 0, 1, -1, 1, -2, 2, -2},
        {0, 4, 0, -2, 2, 2, 1, -1, -1},
        {2, -2, 0, -2, 2, 0},
        {-4, 0, 0, -2, -2, 2, -1, -1, 1},
        {0, 2, -2, 3, -3, -3, -1, 1, 1, 2, 2, 0},
        {4, 0, 0, 2, -2, 2, -1, 1, -1, 1, -1, 1},
        {1, -1, 1, 2, -2, 0, 2, -2, 0},
        {2, 2, -2, 2, 2, -2, 1, 1, -1, -1, -1, 1},
        {0, 0, 4, -2, -2, 2, -1, -1, 1},
        {1, 1, 1, 1, -1, 1, -1, 1, 1},
        {-1, 1, 1, 1, -1, 1},
        {-3, -3, 3, 0, 2, 2, 1, 1, -1, -2, 0, -2},
        {0, -2, 2, 0, 2, -2, 1, -1, 1},
        {1, -1, 1, -2, 0, -2, 2, 0, 2},
        {1, -1, 1, 1, -1, 1},
        {0, -4, 0, 1, 1, -1, 2, 2, -2},
        {0, -2, 2, 0, 2, -2},
        {1, 1, 1, 1, -1, 1},
        {1, -1, 1},
        {-4, 0, 0, -1, -1, -1, -2, -2, -2},
        {-4, 0, 0, -1, -1, -1, -2, -2, -2, 1, 1, 1},
        {3, 3, 3, 0, 2, -2, -1, -1, -1, -2, 2, 0},
        {1, -1, -1, 2, -2, 0, 2, -2, 0},
        {1, 1, 1, 3, 3, 3, 0, -2, 2, -2, 0, 2},
        {-2, 0, 2, -2, 0, 2, 1, -1, -1},
        {0, -2, -2, 0, 2, 2, -1, 1, 1},
        {-1, 1, 1, 1, -1, -1},
        {-1, -1, -1, -2, -2, -2, 2, 2, 2, 1, 1, 1},
        {-1, -1, 1, 1, -1, 1, 1, -1, -1},
        {0, 0, -4, 2, 2, 2, -1, -1, -1},
        {1, -1, 1, 1, -1, -1},
        {0, -4, 0, 2, 2, 2, 1, 1, 1},
        {-1, -1, 1, 1, -1, -1},
        {0, -2, -2, 0, 2, 2},
        {1, -1, -1},
        {4, 0, 0, 4, 0, 0},
        {-4, 0, 0, -2, 2, 2, -1, 1, 1},
        {4, 0, 0, 2, -2, 2, -1, 1, -1},
        {2, -2, 0, 2, -2, 0},
        {4, 0, 0, -2, -2, 2, -1, -1, 1},
        {-2, 0, 2, -2, 0, 2},
        {1, 1, 1, -1, 1, 1},
        {-1, 1, 1},
        {4, 0, 0, 2, 2, 2, 1, 1, 1},
        {1, -1, 1, -1, -1, 1},
        {-2, 0, -2, 2, 0, 2},
        {1, -1, 1},
        {-2, -2, 0, 2, 2, 0},
        {-1, -1, 1},
        {1, 1, 1},
        {},
    };

    private NeighbourhoodAreas() {
    }

    /** Number of triangles of {@code code} (for tests). */
    static int triangles(int code) {
        return NORMALS_X8[code].length / 3;
    }

    /**
     * Area in mm^2 of the surface element of each of the 256 codes for voxels of {@code spacing} (x, y, z) mm.
     *
     * @throws IllegalArgumentException if spacing does not have three positive finite values
     */
    public static double[] surfaceAreas(double[] spacing) {
        checkSpacing(spacing, 3);
        double sx = spacing[0];
        double sy = spacing[1];
        double sz = spacing[2];
        double[] areas = new double[256];
        for (int code = 0; code < 256; code++) {
            byte[] n = NORMALS_X8[code];
            double sum = 0;
            for (int t = 0; t < n.length; t += 3) {
                double n0 = n[t] / 8.0 * sy * sz;
                double n1 = n[t + 1] / 8.0 * sx * sz;
                double n2 = n[t + 2] / 8.0 * sx * sy;
                sum += Math.sqrt(n0 * n0 + n1 * n1 + n2 * n2);
            }
            areas[code] = sum;
        }
        return areas;
    }

    /**
     * Length in mm of the contour element of each of the 16 codes for pixels of {@code spacing} (x, y) mm.
     *
     * @throws IllegalArgumentException if spacing does not have two positive finite values
     */
    public static double[] contourLengths(double[] spacing) {
        checkSpacing(spacing, 2);
        double sx = spacing[0];
        double sy = spacing[1];
        double diag = 0.5 * Math.sqrt(sx * sx + sy * sy);
        double[] lengths = new double[16];
        for (int code = 1; code < 15; code++) {
            int inside = Integer.bitCount(code);
            if (inside == 1 || inside == 3) {
                lengths[code] = diag;
            } else if (code == (bit2d(1, 0) | bit2d(1, 1)) || code == (bit2d(0, 0) | bit2d(0, 1))) {
                // Both pixels on one side of x: the contour runs along y for one pixel.
                lengths[code] = sy;
            } else if (code == (bit2d(0, 1) | bit2d(1, 1)) || code == (bit2d(0, 0) | bit2d(1, 0))) {
                lengths[code] = sx;
            } else {
                // The two diagonal (saddle) configurations: two corner cuts.
                lengths[code] = 2 * diag;
            }
        }
        return lengths;
    }

    static void checkSpacing(double[] spacing, int rank) {
        if (spacing.length != rank) {
            throw new IllegalArgumentException("spacing needs " + rank + " values, got " + spacing.length);
        }
        for (int a = 0; a < rank; a++) {
            if (!(spacing[a] > 0) || !Double.isFinite(spacing[a])) {
                throw new IllegalArgumentException("spacing along axis " + a + " is " + spacing[a] + " mm; it must be positive and finite");
            }
        }
    }
}
