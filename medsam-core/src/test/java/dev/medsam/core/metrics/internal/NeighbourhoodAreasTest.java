package dev.medsam.core.metrics.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeighbourhoodAreasTest {

    private static final int[][] PERMUTATIONS = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

    /** The code the same 2x2x2 configuration gets after new axis a := old axis perm[a], mirrored where flip says. */
    private static int transform(int code, int[] perm, int flips) {
        int out = 0;
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                for (int c = 0; c < 2; c++) {
                    if ((code & NeighbourhoodAreas.bit3d(a, b, c)) == 0) {
                        continue;
                    }
                    int[] old = {a, b, c};
                    int[] now = new int[3];
                    for (int axis = 0; axis < 3; axis++) {
                        now[axis] = old[perm[axis]];
                        if ((flips >> axis & 1) != 0) {
                            now[axis] = 1 - now[axis];
                        }
                    }
                    out |= NeighbourhoodAreas.bit3d(now[0], now[1], now[2]);
                }
            }
        }
        return out;
    }

    @Test
    void surfaceAreasAreTheSameUnderEveryAxisSymmetry() {
        // A transcription error in one code would break the symmetry with the other codes of its orbit.
        double[] spacing = {0.7, 1.3, 2.9};
        double[] base = NeighbourhoodAreas.surfaceAreas(spacing);
        for (int[] perm : PERMUTATIONS) {
            double[] permuted = {spacing[perm[0]], spacing[perm[1]], spacing[perm[2]]};
            double[] table = NeighbourhoodAreas.surfaceAreas(permuted);
            for (int flips = 0; flips < 8; flips++) {
                for (int code = 0; code < 256; code++) {
                    int other = transform(code, perm, flips);
                    assertEquals(base[code], table[other], 1e-12,
                            "code " + code + " vs " + other + " under permutation " + java.util.Arrays.toString(perm)
                                    + " flips " + flips);
                }
            }
        }
    }

    @Test
    void insideAndOutsideSwappedHaveTheSameArea() {
        double[] areas = NeighbourhoodAreas.surfaceAreas(new double[] {0.8, 0.8, 2.5});
        for (int code = 0; code < 256; code++) {
            assertEquals(areas[code], areas[255 - code], 1e-12, "code " + code);
        }
    }

    @Test
    void onlyTheUniformCodesHaveNoSurface() {
        double[] areas = NeighbourhoodAreas.surfaceAreas(new double[] {1, 1, 1});
        assertEquals(0, areas[0]);
        assertEquals(0, areas[255]);
        for (int code = 1; code < 255; code++) {
            assertTrue(areas[code] > 0, "code " + code);
            assertTrue(NeighbourhoodAreas.triangles(code) >= 1 && NeighbourhoodAreas.triangles(code) <= 4, "code " + code);
        }
    }

    @Test
    void knownElementsHaveTheirGeometricArea() {
        double sx = 0.8, sy = 1.1, sz = 2.5;
        double[] areas = NeighbourhoodAreas.surfaceAreas(new double[] {sx, sy, sz});
        // The four voxels at a = 1: a plane across x, one y-by-z face.
        int planeX = NeighbourhoodAreas.bit3d(1, 0, 0) | NeighbourhoodAreas.bit3d(1, 0, 1)
                | NeighbourhoodAreas.bit3d(1, 1, 0) | NeighbourhoodAreas.bit3d(1, 1, 1);
        assertEquals(sy * sz, areas[planeX], 1e-12);
        int planeZ = NeighbourhoodAreas.bit3d(0, 0, 1) | NeighbourhoodAreas.bit3d(0, 1, 1)
                | NeighbourhoodAreas.bit3d(1, 0, 1) | NeighbourhoodAreas.bit3d(1, 1, 1);
        assertEquals(sx * sy, areas[planeZ], 1e-12);
        // One voxel: the triangle through the three half-edges, area |cross| / 2.
        double corner = Math.sqrt(sy * sy * sz * sz + sx * sx * sz * sz + sx * sx * sy * sy) / 8;
        assertEquals(corner, areas[NeighbourhoodAreas.bit3d(1, 1, 1)], 1e-12);
        assertEquals(corner, areas[NeighbourhoodAreas.bit3d(0, 0, 0)], 1e-12);
        // Two voxels along z: a strip across the x-y diagonal, length sz, width half the x-y diagonal... times 2.
        int edgeZ = NeighbourhoodAreas.bit3d(1, 1, 0) | NeighbourhoodAreas.bit3d(1, 1, 1);
        assertEquals(sz * Math.hypot(sx, sy) / 2, areas[edgeZ], 1e-12);
    }

    @Test
    void contourLengthsFollowMarchingSquares() {
        double sx = 0.5, sy = 2.0;
        double[] len = NeighbourhoodAreas.contourLengths(new double[] {sx, sy});
        double diag = 0.5 * Math.hypot(sx, sy);
        assertEquals(0, len[0]);
        assertEquals(0, len[15]);
        for (int code : new int[] {1, 2, 4, 8, 7, 11, 13, 14}) {
            assertEquals(diag, len[code], 1e-15, "code " + code);
        }
        // Pixels (1, 0) and (1, 1) inside: the contour crosses x and runs one pixel along y.
        assertEquals(sy, len[NeighbourhoodAreas.bit2d(1, 0) | NeighbourhoodAreas.bit2d(1, 1)]);
        assertEquals(sy, len[NeighbourhoodAreas.bit2d(0, 0) | NeighbourhoodAreas.bit2d(0, 1)]);
        assertEquals(sx, len[NeighbourhoodAreas.bit2d(0, 1) | NeighbourhoodAreas.bit2d(1, 1)]);
        assertEquals(sx, len[NeighbourhoodAreas.bit2d(0, 0) | NeighbourhoodAreas.bit2d(1, 0)]);
        assertEquals(2 * diag, len[NeighbourhoodAreas.bit2d(0, 0) | NeighbourhoodAreas.bit2d(1, 1)]);
        assertEquals(2 * diag, len[NeighbourhoodAreas.bit2d(0, 1) | NeighbourhoodAreas.bit2d(1, 0)]);
    }

    @Test
    void badSpacingIsRefusedWithTheAxis() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NeighbourhoodAreas.surfaceAreas(new double[] {1, 0, 1}));
        assertTrue(e.getMessage().contains("axis 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NeighbourhoodAreas.contourLengths(new double[] {1, Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> NeighbourhoodAreas.surfaceAreas(new double[] {1, 1}));
    }
}
