package dev.medsam.io.nifti;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * NIfTI geometry: nibabel's choice among sform, qform and the pixdim fallback; the {@code nifti.*} attributes
 * that carry a header's geometry through a {@link MedicalImage}; and the header fields for a new affine.
 */
final class NiftiGeometry {

    /** Tolerance (mm, per matrix element) under which an image is taken to be on its source header's grid. */
    static final double SAME_GRID_TOLERANCE = 1e-6;

    static final String VERSION = "nifti.version";
    static final String BYTE_ORDER = "nifti.byte_order";
    static final String DATATYPE = "nifti.datatype";
    static final String DIM = "nifti.dim";
    static final String PIXDIM = "nifti.pixdim";
    static final String VOX_OFFSET = "nifti.vox_offset";
    static final String SCL_SLOPE = "nifti.scl_slope";
    static final String SCL_INTER = "nifti.scl_inter";
    static final String CAL_MIN = "nifti.cal_min";
    static final String CAL_MAX = "nifti.cal_max";
    static final String QFORM_CODE = "nifti.qform_code";
    static final String SFORM_CODE = "nifti.sform_code";
    static final String QUATERN = "nifti.quatern";
    static final String QOFFSET = "nifti.qoffset";
    static final String SROW_X = "nifti.srow_x";
    static final String SROW_Y = "nifti.srow_y";
    static final String SROW_Z = "nifti.srow_z";
    static final String XYZT_UNITS = "nifti.xyzt_units";
    static final String INTENT_CODE = "nifti.intent_code";
    static final String DESCRIP = "nifti.descrip";
    static final String AFFINE_SOURCE = "nifti.affine_source";
    static final String EXTENSIONS = "nifti.extensions";

    /** Which transform a header's affine came from. */
    enum Source {
        SFORM, QFORM, PIXDIM;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The chosen affine (RAS) and where it came from. */
    record Choice(Affine affine, Source source) {
    }

    private NiftiGeometry() {
    }

    /** A transform code after nibabel's fix: codes outside 0..5 count as 0. */
    static int fixedCode(int code) {
        return code >= 0 && code <= 5 ? code : 0;
    }

    /**
     * nibabel's {@code get_best_affine}, skipping (with a message to {@code problems}) any transform that is not
     * a finite non-singular affine; as a last resort the identity.
     */
    static Choice best(NiftiHeader h, Consumer<String> problems) {
        if (h.sformCode != fixedCode(h.sformCode)) {
            problems.accept("sform_code " + h.sformCode + " is not a valid code; treated as 0");
        }
        if (h.qformCode != fixedCode(h.qformCode)) {
            problems.accept("qform_code " + h.qformCode + " is not a valid code; treated as 0");
        }
        if (fixedCode(h.sformCode) != 0) {
            Optional<Affine> a = affine(h.sformMatrix());
            if (a.isPresent()) {
                return new Choice(a.get(), Source.SFORM);
            }
            problems.accept("the sform (sform_code " + h.sformCode + ") is not a usable affine (non-finite or "
                    + "singular); " + (fixedCode(h.qformCode) != 0 ? "using the qform" : "using pixdim"));
        }
        if (fixedCode(h.qformCode) != 0) {
            double[] q = h.qformMatrix();
            Optional<Affine> a = q == null ? Optional.empty() : affine(q);
            if (a.isPresent()) {
                return new Choice(a.get(), Source.QFORM);
            }
            problems.accept(q == null
                    ? "the qform quaternion (" + h.quaternB + ", " + h.quaternC + ", " + h.quaternD
                            + ") has b^2+c^2+d^2 > 1; using pixdim"
                    : "the qform (qform_code " + h.qformCode + ") is not a usable affine; using pixdim");
        }
        for (int i = 1; i <= 3; i++) {
            if (!Double.isFinite(h.pixdim[i])) {
                problems.accept("pixdim[" + i + "] is " + h.pixdim[i] + "; using 1");
            }
        }
        Optional<Affine> base = affine(h.baseMatrix());
        if (base.isPresent()) {
            return new Choice(base.get(), Source.PIXDIM);
        }
        problems.accept("pixdim " + java.util.Arrays.toString(h.pixdim) + " gives no usable affine; using the identity");
        return new Choice(Affine.identity().to(CoordinateSystem.RAS), Source.PIXDIM);
    }

    private static Optional<Affine> affine(double[] m) {
        try {
            return Optional.of(Affine.of(CoordinateSystem.RAS, m));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Stores {@code h}'s facts as {@code nifti.*} attributes. */
    static void toAttributes(NiftiHeader h, Source source, MedicalImage.Builder b) {
        boolean single = h.version == NiftiVersion.NIFTI1;
        b.attribute(VERSION, single ? "1" : "2");
        b.attribute(BYTE_ORDER, h.order == java.nio.ByteOrder.BIG_ENDIAN ? "big" : "little");
        b.attribute(DATATYPE, Integer.toString(h.datatype));
        b.attribute(DIM, longs(h.dim));
        b.attribute(PIXDIM, numbers(single, h.pixdim));
        b.attribute(VOX_OFFSET, number(single, h.voxOffset));
        b.attribute(SCL_SLOPE, number(single, h.sclSlope));
        b.attribute(SCL_INTER, number(single, h.sclInter));
        b.attribute(CAL_MIN, number(single, h.calMin));
        b.attribute(CAL_MAX, number(single, h.calMax));
        b.attribute(QFORM_CODE, Integer.toString(h.qformCode));
        b.attribute(SFORM_CODE, Integer.toString(h.sformCode));
        b.attribute(QUATERN, numbers(single, new double[] {h.quaternB, h.quaternC, h.quaternD}));
        b.attribute(QOFFSET, numbers(single, new double[] {h.qoffsetX, h.qoffsetY, h.qoffsetZ}));
        b.attribute(SROW_X, numbers(single, h.srowX));
        b.attribute(SROW_Y, numbers(single, h.srowY));
        b.attribute(SROW_Z, numbers(single, h.srowZ));
        b.attribute(XYZT_UNITS, Integer.toString(h.xyztUnits));
        b.attribute(INTENT_CODE, Integer.toString(h.intentCode));
        b.attribute(DESCRIP, h.descrip);
        b.attribute(AFFINE_SOURCE, source.label());
        if (!h.extensions.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (int[] e : h.extensions) {
                sb.append(sb.length() == 0 ? "" : " ").append(e[0]).append(':').append(e[1]);
            }
            b.attribute(EXTENSIONS, sb.toString());
        }
    }

    /**
     * The geometry fields of the header an image was read from (codes, quaternion, offsets, srows, pixdim,
     * units, dims), or empty if the image has no complete, parsable {@code nifti.*} geometry.
     */
    static Optional<NiftiHeader> fromAttributes(Map<String, String> a) {
        try {
            String version = a.get(VERSION);
            if (version == null) {
                return Optional.empty();
            }
            boolean single = version.equals("1");
            NiftiHeader h = new NiftiHeader();
            h.version = single ? NiftiVersion.NIFTI1 : NiftiVersion.NIFTI2;
            h.order = java.nio.ByteOrder.LITTLE_ENDIAN;
            h.magic = h.version.magic();
            long[] dim = parseLongs(a.get(DIM), 8);
            System.arraycopy(dim, 0, h.dim, 0, 8);
            System.arraycopy(parse(single, a.get(PIXDIM), 8), 0, h.pixdim, 0, 8);
            h.qformCode = Integer.parseInt(a.get(QFORM_CODE));
            h.sformCode = Integer.parseInt(a.get(SFORM_CODE));
            double[] q = parse(single, a.get(QUATERN), 3);
            h.quaternB = q[0];
            h.quaternC = q[1];
            h.quaternD = q[2];
            double[] o = parse(single, a.get(QOFFSET), 3);
            h.qoffsetX = o[0];
            h.qoffsetY = o[1];
            h.qoffsetZ = o[2];
            System.arraycopy(parse(single, a.get(SROW_X), 4), 0, h.srowX, 0, 4);
            System.arraycopy(parse(single, a.get(SROW_Y), 4), 0, h.srowY, 0, 4);
            System.arraycopy(parse(single, a.get(SROW_Z), 4), 0, h.srowZ, 0, 4);
            String units = a.get(XYZT_UNITS);
            h.xyztUnits = units == null ? 0 : Integer.parseInt(units);
            return Optional.of(h);
        } catch (RuntimeException e) {
            // Missing or damaged attributes just mean "no source geometry": the writer derives it afresh.
            return Optional.empty();
        }
    }

    /**
     * Whether {@code image} lies on the grid of {@code source}: same spatial dims, and the affine nibabel would
     * derive from {@code source} equals the image's within {@link #SAME_GRID_TOLERANCE}.
     */
    static boolean sameGrid(NiftiHeader source, MedicalImage image) {
        if (source.dim[0] < 1 || source.dim[0] > 7) {
            return false;
        }
        int spatial = Math.min(3, image.rank());
        for (int i = 0; i < spatial; i++) {
            if (i + 1 > source.dim[0] || source.dim[i + 1] != image.dim(i)) {
                return false;
            }
        }
        if (image.rank() < 3 && source.dim[0] >= 3 && source.dim[3] != 1) {
            return false;
        }
        boolean[] ok = {true};
        Choice c = best(source, p -> ok[0] = false);
        return ok[0] && c.affine().approximatelyEquals(image.affine(CoordinateSystem.RAS), SAME_GRID_TOLERANCE);
    }

    /**
     * Fills the header's geometry (pixdim[0..3], quaternion, qoffset, srows) for {@code ras}: the sform is the
     * affine itself, the qform its nearest rotation (shears dropped) with pixdim = column lengths and qfac the
     * sign of the determinant, as nibabel's {@code set_qform}.
     */
    static void setAffine(NiftiHeader h, Affine ras) {
        double[] m = ras.to(CoordinateSystem.RAS).toArray();
        for (int c = 0; c < 4; c++) {
            h.srowX[c] = m[c];
            h.srowY[c] = m[4 + c];
            h.srowZ[c] = m[8 + c];
        }
        double[] zooms = new double[3];
        double[][] r = new double[3][3];
        for (int c = 0; c < 3; c++) {
            zooms[c] = Math.sqrt(m[c] * m[c] + m[4 + c] * m[4 + c] + m[8 + c] * m[8 + c]);
            for (int row = 0; row < 3; row++) {
                r[row][c] = m[row * 4 + c] / zooms[c];
            }
        }
        double qfac = 1;
        if (det(r) < 0) {
            qfac = -1;
            for (int row = 0; row < 3; row++) {
                r[row][2] = -r[row][2];
            }
        }
        double[] quat = toQuaternion(orthogonalize(r));
        h.pixdim[0] = qfac;
        h.pixdim[1] = zooms[0];
        h.pixdim[2] = zooms[1];
        h.pixdim[3] = zooms[2];
        h.quaternB = quat[1];
        h.quaternC = quat[2];
        h.quaternD = quat[3];
        h.qoffsetX = m[3];
        h.qoffsetY = m[7];
        h.qoffsetZ = m[11];
    }

    static double det(double[][] r) {
        return r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1])
                - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0])
                + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
    }

    /** The orthogonal polar factor of a non-singular matrix (the nearest rotation), by Newton's iteration. */
    static double[][] orthogonalize(double[][] r) {
        double[][] x = {r[0].clone(), r[1].clone(), r[2].clone()};
        for (int it = 0; it < 100; it++) {
            double[][] inv = inverse(x);
            double change = 0;
            double[][] next = new double[3][3];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    next[i][j] = 0.5 * (x[i][j] + inv[j][i]);
                    change = Math.max(change, Math.abs(next[i][j] - x[i][j]));
                }
            }
            x = next;
            if (change < 1e-15) {
                break;
            }
        }
        return x;
    }

    private static double[][] inverse(double[][] a) {
        double d = det(a);
        double[][] inv = new double[3][3];
        inv[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / d;
        inv[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / d;
        inv[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / d;
        inv[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / d;
        inv[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / d;
        inv[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / d;
        inv[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / d;
        inv[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / d;
        inv[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / d;
        return inv;
    }

    /** The unit quaternion (w, x, y, z), w &gt;= 0, of a rotation matrix (Shepperd's method). */
    static double[] toQuaternion(double[][] r) {
        double t = r[0][0] + r[1][1] + r[2][2];
        double w;
        double x;
        double y;
        double z;
        if (t > 0) {
            double s = Math.sqrt(t + 1) * 2;
            w = s / 4;
            x = (r[2][1] - r[1][2]) / s;
            y = (r[0][2] - r[2][0]) / s;
            z = (r[1][0] - r[0][1]) / s;
        } else if (r[0][0] > r[1][1] && r[0][0] > r[2][2]) {
            double s = Math.sqrt(1 + r[0][0] - r[1][1] - r[2][2]) * 2;
            w = (r[2][1] - r[1][2]) / s;
            x = s / 4;
            y = (r[0][1] + r[1][0]) / s;
            z = (r[0][2] + r[2][0]) / s;
        } else if (r[1][1] > r[2][2]) {
            double s = Math.sqrt(1 + r[1][1] - r[0][0] - r[2][2]) * 2;
            w = (r[0][2] - r[2][0]) / s;
            x = (r[0][1] + r[1][0]) / s;
            y = s / 4;
            z = (r[1][2] + r[2][1]) / s;
        } else {
            double s = Math.sqrt(1 + r[2][2] - r[0][0] - r[1][1]) * 2;
            w = (r[1][0] - r[0][1]) / s;
            x = (r[0][2] + r[2][0]) / s;
            y = (r[1][2] + r[2][1]) / s;
            z = s / 4;
        }
        double n = Math.sqrt(w * w + x * x + y * y + z * z);
        double sign = w < 0 ? -1 : 1;
        return new double[] {sign * w / n, sign * x / n, sign * y / n, sign * z / n};
    }

    private static String number(boolean float32, double v) {
        return float32 ? Float.toString((float) v) : Double.toString(v);
    }

    private static String numbers(boolean float32, double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : " ").append(number(float32, d));
        }
        return sb.toString();
    }

    private static String longs(long[] v) {
        StringBuilder sb = new StringBuilder();
        for (long d : v) {
            sb.append(sb.length() == 0 ? "" : " ").append(d);
        }
        return sb.toString();
    }

    private static double[] parse(boolean float32, String s, int n) {
        String[] parts = s.trim().split("\\s+");
        if (parts.length != n) {
            throw new IllegalArgumentException("expected " + n + " numbers in '" + s + "'");
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = float32 ? Float.parseFloat(parts[i]) : Double.parseDouble(parts[i]);
        }
        return out;
    }

    private static long[] parseLongs(String s, int n) {
        String[] parts = s.trim().split("\\s+");
        if (parts.length != n) {
            throw new IllegalArgumentException("expected " + n + " integers in '" + s + "'");
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = Long.parseLong(parts[i]);
        }
        return out;
    }
}
