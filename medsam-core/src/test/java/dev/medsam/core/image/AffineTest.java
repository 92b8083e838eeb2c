package dev.medsam.core.image;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AffineTest {

    @Property
    void lpsAndRasDescribeTheSamePoint(@ForAll @DoubleRange(min = 0.1, max = 5) double sx,
                                       @ForAll @DoubleRange(min = 0.1, max = 5) double sy,
                                       @ForAll @DoubleRange(min = -500, max = 500) double ox,
                                       @ForAll @DoubleRange(min = -100, max = 100) double i,
                                       @ForAll @DoubleRange(min = -100, max = 100) double j) {
        Affine lps = Affine.of(CoordinateSystem.LPS, sx, 0.1, 0, ox, 0, sy, 0.2, -ox, 0.3, 0, 2.5, 7);
        Affine ras = lps.to(CoordinateSystem.RAS);
        VoxelIndex v = new VoxelIndex(i, j, 3);
        PatientPoint a = lps.apply(v);
        PatientPoint b = ras.apply(v).to(CoordinateSystem.LPS);
        assertEquals(a.x(), b.x(), 1e-9);
        assertEquals(a.y(), b.y(), 1e-9);
        assertEquals(a.z(), b.z(), 1e-9);
        assertEquals(lps, ras.to(CoordinateSystem.LPS));
    }

    @Test
    void spacingAndOriginComeFromColumns() {
        Affine a = Affine.ofSpacing(CoordinateSystem.RAS, new double[] {0.8, 0.9, 2.5}, new double[] {1, 2, 3});
        assertArrayEquals(new double[] {0.8, 0.9, 2.5}, a.spacing(), 1e-12);
        assertArrayEquals(new double[] {1, 2, 3}, a.origin(), 0);
        assertArrayEquals(new double[] {-0.8, 0, 0, -1}, new double[] {a.to(CoordinateSystem.LPS).get(0, 0),
            a.to(CoordinateSystem.LPS).get(0, 1), a.to(CoordinateSystem.LPS).get(0, 2),
            a.to(CoordinateSystem.LPS).get(0, 3)}, 0);
    }

    @Test
    void rejectsSingularAndNonFiniteMatrices() {
        assertThrows(IllegalArgumentException.class,
                () -> Affine.of(CoordinateSystem.LPS, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> Affine.of(CoordinateSystem.LPS, Double.NaN, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Affine.of(CoordinateSystem.LPS, 1, 2, 3));
    }
}
