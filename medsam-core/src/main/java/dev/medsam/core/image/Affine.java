package dev.medsam.core.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * A 4x4 affine map from voxel indices {@code (i, j, k, 1)} to patient millimetres in a stated
 * {@link CoordinateSystem}. The matrix is row-major; its last row is {@code 0 0 0 1}. Columns 0..2 are the
 * voxel axes scaled by the spacing (they need not be orthogonal: NIfTI sforms may shear), column 3 is the
 * position of voxel (0, 0, 0).
 */
public final class Affine {

    private final CoordinateSystem system;
    private final double[] m;

    private Affine(CoordinateSystem system, double[] m) {
        this.system = system;
        this.m = m;
    }

    /**
     * An affine from 16 row-major values (or 12: the first three rows).
     *
     * @throws IllegalArgumentException if a value is not finite, the last row is not {@code 0 0 0 1}, or the
     *                                  3x3 part is singular
     */
    public static Affine of(CoordinateSystem system, double... rowMajor) {
        Objects.requireNonNull(system, "coordinate system");
        double[] v;
        if (rowMajor.length == 12) {
            v = Arrays.copyOf(rowMajor, 16);
            v[15] = 1;
        } else if (rowMajor.length == 16) {
            v = rowMajor.clone();
        } else {
            throw new IllegalArgumentException("an affine has 12 or 16 values, got " + rowMajor.length);
        }
        for (int i = 0; i < 16; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException("affine value [" + i / 4 + "][" + i % 4 + "] is " + v[i]);
            }
        }
        if (v[12] != 0 || v[13] != 0 || v[14] != 0 || v[15] != 1) {
            throw new IllegalArgumentException("the last row of an affine must be 0 0 0 1, got "
                    + v[12] + " " + v[13] + " " + v[14] + " " + v[15]);
        }
        Affine a = new Affine(system, v);
        if (a.determinant() == 0) {
            throw new IllegalArgumentException("affine is singular: " + a);
        }
        return a;
    }

    /**
     * The affine for axis-aligned voxels: {@code spacing} along i, j, k, voxel (0,0,0) at {@code origin}, in
     * {@code system}.
     */
    public static Affine ofSpacing(CoordinateSystem system, double[] spacing, double[] origin) {
        if (spacing.length != 3 || origin.length != 3) {
            throw new IllegalArgumentException("spacing and origin need 3 values each");
        }
        return of(system, spacing[0], 0, 0, origin[0], 0, spacing[1], 0, origin[1], 0, 0, spacing[2], origin[2]);
    }

    /** Unit spacing, origin 0, in LPS. What an image without geometry gets. */
    public static Affine identity() {
        return ofSpacing(CoordinateSystem.LPS, new double[] {1, 1, 1}, new double[] {0, 0, 0});
    }

    public CoordinateSystem system() {
        return system;
    }

    /** Element at {@code row}, {@code column}. */
    public double get(int row, int column) {
        return m[row * 4 + column];
    }

    /** The 16 row-major values (a copy). */
    public double[] toArray() {
        return m.clone();
    }

    /** The same map expressed in {@code target} (rows 0 and 1 negate between LPS and RAS). */
    public Affine to(CoordinateSystem target) {
        if (target == system) {
            return this;
        }
        double[] v = m.clone();
        for (int c = 0; c < 4; c++) {
            v[c] = -v[c];
            v[4 + c] = -v[4 + c];
        }
        return new Affine(target, v);
    }

    /** Where a voxel index lies in patient space. */
    public PatientPoint apply(VoxelIndex p) {
        double[] r = new double[3];
        for (int row = 0; row < 3; row++) {
            r[row] = m[row * 4] * p.i() + m[row * 4 + 1] * p.j() + m[row * 4 + 2] * p.k() + m[row * 4 + 3];
        }
        return new PatientPoint(system, r[0], r[1], r[2]);
    }

    /** Voxel spacing in mm along i, j, k: the lengths of columns 0..2. */
    public double[] spacing() {
        double[] s = new double[3];
        for (int c = 0; c < 3; c++) {
            s[c] = Math.sqrt(m[c] * m[c] + m[4 + c] * m[4 + c] + m[8 + c] * m[8 + c]);
        }
        return s;
    }

    /** Position of voxel (0, 0, 0) in mm. */
    public double[] origin() {
        return new double[] {m[3], m[7], m[11]};
    }

    /** Unit direction of voxel axis {@code axis} (0..2) in this coordinate system. */
    public double[] direction(int axis) {
        double len = spacing()[axis];
        return new double[] {m[axis] / len, m[4 + axis] / len, m[8 + axis] / len};
    }

    /** This affine with voxel axis {@code axis}'s column scaled and the origin moved, as for a resampled grid. */
    public Affine withColumn(int axis, double[] column) {
        double[] v = m.clone();
        v[axis] = column[0];
        v[4 + axis] = column[1];
        v[8 + axis] = column[2];
        return of(system, v);
    }

    /** Determinant of the 3x3 part: negative for a left-handed voxel grid. */
    public double determinant() {
        return m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8])
                + m[2] * (m[4] * m[9] - m[5] * m[8]);
    }

    /** Whether every element is within {@code tolerance} of {@code other}'s, both in the same system. */
    public boolean approximatelyEquals(Affine other, double tolerance) {
        Affine o = other.to(system);
        for (int i = 0; i < 16; i++) {
            if (Math.abs(o.m[i] - m[i]) > tolerance) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Affine a && a.system == system && Arrays.equals(a.m, m);
    }

    @Override
    public int hashCode() {
        return 31 * system.hashCode() + Arrays.hashCode(m);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Affine[").append(system);
        for (int r = 0; r < 3; r++) {
            sb.append(r == 0 ? " [" : ", [");
            for (int c = 0; c < 4; c++) {
                sb.append(c == 0 ? "" : " ").append(m[r * 4 + c]);
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }
}
