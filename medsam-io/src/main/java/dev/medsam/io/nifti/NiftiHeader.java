package dev.medsam.io.nifti;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fields of a NIfTI-1 or NIfTI-2 header as stored (before any fixing), and the affines nibabel derives
 * from them. Package-private: the public API carries these facts as {@code nifti.*} attributes of the image.
 */
final class NiftiHeader {

    /** NIfTI datatype codes. */
    static final int DT_UINT8 = 2;
    static final int DT_INT16 = 4;
    static final int DT_INT32 = 8;
    static final int DT_FLOAT32 = 16;
    static final int DT_COMPLEX64 = 32;
    static final int DT_FLOAT64 = 64;
    static final int DT_RGB24 = 128;
    static final int DT_INT8 = 256;
    static final int DT_UINT16 = 512;
    static final int DT_UINT32 = 768;
    static final int DT_INT64 = 1024;
    static final int DT_UINT64 = 1280;
    static final int DT_FLOAT128 = 1536;
    static final int DT_COMPLEX128 = 1792;
    static final int DT_COMPLEX256 = 2048;
    static final int DT_RGBA32 = 2304;
    static final int DT_BINARY = 1;

    NiftiVersion version;
    ByteOrder order;
    String magic = "";
    final long[] dim = new long[8];
    int datatype;
    int bitpix;
    final double[] intentP = new double[3];
    int intentCode;
    String intentName = "";
    final double[] pixdim = new double[8];
    double voxOffset;
    double sclSlope;
    double sclInter;
    double calMin;
    double calMax;
    double sliceDuration;
    double toffset;
    long sliceStart;
    long sliceEnd;
    int sliceCode;
    int xyztUnits;
    int dimInfo;
    String descrip = "";
    String auxFile = "";
    int qformCode;
    int sformCode;
    double quaternB;
    double quaternC;
    double quaternD;
    double qoffsetX;
    double qoffsetY;
    double qoffsetZ;
    final double[] srowX = new double[4];
    final double[] srowY = new double[4];
    final double[] srowZ = new double[4];
    /** Extensions found between the header and the data: {code, esize} each. */
    final List<int[]> extensions = new ArrayList<>();

    /**
     * The version and byte order from the first four bytes ({@code sizeof_hdr}, 348 or 540 in either order),
     * or null if they are none of these.
     */
    static Object[] detect(byte[] first4) {
        ByteBuffer le = ByteBuffer.wrap(first4, 0, 4).order(ByteOrder.LITTLE_ENDIAN);
        int l = le.getInt(0);
        int b = Integer.reverseBytes(l);
        for (NiftiVersion v : NiftiVersion.values()) {
            if (l == v.headerSize()) {
                return new Object[] {v, ByteOrder.LITTLE_ENDIAN};
            }
            if (b == v.headerSize()) {
                return new Object[] {v, ByteOrder.BIG_ENDIAN};
            }
        }
        return null;
    }

    /** Parses a whole header block (348 or 540 bytes, starting with sizeof_hdr). */
    static NiftiHeader parse(byte[] block, NiftiVersion version, ByteOrder order) {
        NiftiHeader h = new NiftiHeader();
        h.version = version;
        h.order = order;
        ByteBuffer bb = ByteBuffer.wrap(block).order(order);
        if (version == NiftiVersion.NIFTI1) {
            h.dimInfo = bb.get(39) & 0xFF;
            for (int i = 0; i < 8; i++) {
                h.dim[i] = bb.getShort(40 + 2 * i);
            }
            for (int i = 0; i < 3; i++) {
                h.intentP[i] = bb.getFloat(56 + 4 * i);
            }
            h.intentCode = bb.getShort(68);
            h.datatype = bb.getShort(70);
            h.bitpix = bb.getShort(72);
            h.sliceStart = bb.getShort(74);
            for (int i = 0; i < 8; i++) {
                h.pixdim[i] = bb.getFloat(76 + 4 * i);
            }
            h.voxOffset = bb.getFloat(108);
            h.sclSlope = bb.getFloat(112);
            h.sclInter = bb.getFloat(116);
            h.sliceEnd = bb.getShort(120);
            h.sliceCode = bb.get(122) & 0xFF;
            h.xyztUnits = bb.get(123) & 0xFF;
            h.calMax = bb.getFloat(124);
            h.calMin = bb.getFloat(128);
            h.sliceDuration = bb.getFloat(132);
            h.toffset = bb.getFloat(136);
            h.descrip = string(block, 148, 80);
            h.auxFile = string(block, 228, 24);
            h.qformCode = bb.getShort(252);
            h.sformCode = bb.getShort(254);
            h.quaternB = bb.getFloat(256);
            h.quaternC = bb.getFloat(260);
            h.quaternD = bb.getFloat(264);
            h.qoffsetX = bb.getFloat(268);
            h.qoffsetY = bb.getFloat(272);
            h.qoffsetZ = bb.getFloat(276);
            for (int i = 0; i < 4; i++) {
                h.srowX[i] = bb.getFloat(280 + 4 * i);
                h.srowY[i] = bb.getFloat(296 + 4 * i);
                h.srowZ[i] = bb.getFloat(312 + 4 * i);
            }
            h.intentName = string(block, 328, 16);
            h.magic = string(block, 344, 4);
        } else {
            h.magic = string(block, 4, 8);
            h.datatype = bb.getShort(12);
            h.bitpix = bb.getShort(14);
            for (int i = 0; i < 8; i++) {
                h.dim[i] = bb.getLong(16 + 8 * i);
            }
            for (int i = 0; i < 3; i++) {
                h.intentP[i] = bb.getDouble(80 + 8 * i);
            }
            for (int i = 0; i < 8; i++) {
                h.pixdim[i] = bb.getDouble(104 + 8 * i);
            }
            h.voxOffset = bb.getLong(168);
            h.sclSlope = bb.getDouble(176);
            h.sclInter = bb.getDouble(184);
            h.calMax = bb.getDouble(192);
            h.calMin = bb.getDouble(200);
            h.sliceDuration = bb.getDouble(208);
            h.toffset = bb.getDouble(216);
            h.sliceStart = bb.getLong(224);
            h.sliceEnd = bb.getLong(232);
            h.descrip = string(block, 240, 80);
            h.auxFile = string(block, 320, 24);
            h.qformCode = bb.getInt(344);
            h.sformCode = bb.getInt(348);
            h.quaternB = bb.getDouble(352);
            h.quaternC = bb.getDouble(360);
            h.quaternD = bb.getDouble(368);
            h.qoffsetX = bb.getDouble(376);
            h.qoffsetY = bb.getDouble(384);
            h.qoffsetZ = bb.getDouble(392);
            for (int i = 0; i < 4; i++) {
                h.srowX[i] = bb.getDouble(400 + 8 * i);
                h.srowY[i] = bb.getDouble(432 + 8 * i);
                h.srowZ[i] = bb.getDouble(464 + 8 * i);
            }
            h.sliceCode = bb.getInt(496);
            h.xyztUnits = bb.getInt(500);
            h.intentCode = bb.getInt(504);
            h.intentName = string(block, 508, 16);
            h.dimInfo = bb.get(524) & 0xFF;
        }
        return h;
    }

    /** The header block ({@code sizeof_hdr} bytes) in this header's version and byte order. */
    byte[] encode() {
        byte[] block = new byte[version.headerSize()];
        ByteBuffer bb = ByteBuffer.wrap(block).order(order);
        bb.putInt(0, version.headerSize());
        if (version == NiftiVersion.NIFTI1) {
            bb.put(38, (byte) 'r'); // "regular", as niftilib and nibabel write it
            bb.put(39, (byte) dimInfo);
            for (int i = 0; i < 8; i++) {
                bb.putShort(40 + 2 * i, (short) dim[i]);
            }
            for (int i = 0; i < 3; i++) {
                bb.putFloat(56 + 4 * i, (float) intentP[i]);
            }
            bb.putShort(68, (short) intentCode);
            bb.putShort(70, (short) datatype);
            bb.putShort(72, (short) bitpix);
            bb.putShort(74, (short) sliceStart);
            for (int i = 0; i < 8; i++) {
                bb.putFloat(76 + 4 * i, (float) pixdim[i]);
            }
            bb.putFloat(108, (float) voxOffset);
            bb.putFloat(112, (float) sclSlope);
            bb.putFloat(116, (float) sclInter);
            bb.putShort(120, (short) sliceEnd);
            bb.put(122, (byte) sliceCode);
            bb.put(123, (byte) xyztUnits);
            bb.putFloat(124, (float) calMax);
            bb.putFloat(128, (float) calMin);
            bb.putFloat(132, (float) sliceDuration);
            bb.putFloat(136, (float) toffset);
            putString(block, 148, 80, descrip);
            putString(block, 228, 24, auxFile);
            bb.putShort(252, (short) qformCode);
            bb.putShort(254, (short) sformCode);
            bb.putFloat(256, (float) quaternB);
            bb.putFloat(260, (float) quaternC);
            bb.putFloat(264, (float) quaternD);
            bb.putFloat(268, (float) qoffsetX);
            bb.putFloat(272, (float) qoffsetY);
            bb.putFloat(276, (float) qoffsetZ);
            for (int i = 0; i < 4; i++) {
                bb.putFloat(280 + 4 * i, (float) srowX[i]);
                bb.putFloat(296 + 4 * i, (float) srowY[i]);
                bb.putFloat(312 + 4 * i, (float) srowZ[i]);
            }
            putString(block, 328, 16, intentName);
            putString(block, 344, 4, "n+1");
        } else {
            byte[] magic2 = {'n', '+', '2', 0, '\r', '\n', 0x1A, '\n'};
            System.arraycopy(magic2, 0, block, 4, 8);
            bb.putShort(12, (short) datatype);
            bb.putShort(14, (short) bitpix);
            for (int i = 0; i < 8; i++) {
                bb.putLong(16 + 8 * i, dim[i]);
            }
            for (int i = 0; i < 3; i++) {
                bb.putDouble(80 + 8 * i, intentP[i]);
            }
            for (int i = 0; i < 8; i++) {
                bb.putDouble(104 + 8 * i, pixdim[i]);
            }
            bb.putLong(168, (long) voxOffset);
            bb.putDouble(176, sclSlope);
            bb.putDouble(184, sclInter);
            bb.putDouble(192, calMax);
            bb.putDouble(200, calMin);
            bb.putDouble(208, sliceDuration);
            bb.putDouble(216, toffset);
            bb.putLong(224, sliceStart);
            bb.putLong(232, sliceEnd);
            putString(block, 240, 80, descrip);
            putString(block, 320, 24, auxFile);
            bb.putInt(344, qformCode);
            bb.putInt(348, sformCode);
            bb.putDouble(352, quaternB);
            bb.putDouble(360, quaternC);
            bb.putDouble(368, quaternD);
            bb.putDouble(376, qoffsetX);
            bb.putDouble(384, qoffsetY);
            bb.putDouble(392, qoffsetZ);
            for (int i = 0; i < 4; i++) {
                bb.putDouble(400 + 8 * i, srowX[i]);
                bb.putDouble(432 + 8 * i, srowY[i]);
                bb.putDouble(464 + 8 * i, srowZ[i]);
            }
            bb.putInt(496, sliceCode);
            bb.putInt(500, xyztUnits);
            bb.putInt(504, intentCode);
            putString(block, 508, 16, intentName);
            bb.put(524, (byte) dimInfo);
        }
        return block;
    }

    private static String string(byte[] block, int offset, int length) {
        int end = offset;
        while (end < offset + length && block[end] != 0) {
            end++;
        }
        return new String(block, offset, end - offset, StandardCharsets.ISO_8859_1);
    }

    private static void putString(byte[] block, int offset, int length, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(b, 0, block, offset, Math.min(b.length, length - 1));
    }

    /** Whether the single-file magic is present ({@code n+1} / {@code n+2}). */
    boolean isSingleFile() {
        return magic.equals(version.magic());
    }

    /** Whether this is the header of a .hdr/.img pair ({@code ni1} / {@code ni2}). */
    boolean isPair() {
        return magic.equals(version == NiftiVersion.NIFTI1 ? "ni1" : "ni2");
    }

    /** qfac after nibabel's fix: -1 only when pixdim[0] is exactly -1. */
    double qfac() {
        return pixdim[0] == -1 ? -1 : 1;
    }

    /**
     * pixdim[i] after nibabel's fixes for the spatial axes 1..3: zero becomes 1, negative its absolute value;
     * and (our addition, where nibabel would produce a NaN affine) a non-finite value becomes 1.
     */
    double fixedPixdim(int i) {
        double p = pixdim[i];
        if (i >= 1 && i <= 3) {
            if (p == 0 || !Double.isFinite(p)) {
                return 1;
            }
            return Math.abs(p);
        }
        return p;
    }

    /** Number of dimensions, dim[0]. */
    int rank() {
        return (int) dim[0];
    }

    /**
     * The qform affine (RAS, 16 row-major values), as nibabel 5.0's {@code get_qform} (the version the
     * reference data was made with); null if the quaternion is invalid (b^2 + c^2 + d^2 beyond 1 by more than
     * rounding). As nibabel 5.0's {@code fillpositive}: w = sqrt(1 - (b^2 + c^2 + d^2)) whenever that is not
     * negative, and 0 when it is negative within 3 ulp of the stored precision. (Later nibabel versions also
     * round small positive values to 0; the difference is below 1e-3 of a voxel.)
     */
    double[] qformMatrix() {
        double b = quaternB;
        double c = quaternC;
        double d = quaternD;
        double threshold = 3 * (version == NiftiVersion.NIFTI1 ? Math.ulp(1.0f) : Math.ulp(1.0));
        double w2 = 1.0 - (b * b + c * c + d * d);
        double a;
        if (Double.isNaN(w2) || w2 < -threshold) {
            return null;
        } else if (w2 < 0) {
            a = 0;
        } else {
            a = Math.sqrt(w2);
        }
        double n = a * a + b * b + c * c + d * d;
        double[][] r;
        if (n < Math.ulp(1.0)) {
            r = new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        } else {
            double s = 2.0 / n;
            double x = b * s;
            double y = c * s;
            double z = d * s;
            double wx = a * x;
            double wy = a * y;
            double wz = a * z;
            double xx = b * x;
            double xy = b * y;
            double xz = b * z;
            double yy = c * y;
            double yz = c * z;
            double zz = d * z;
            r = new double[][] {
                {1.0 - (yy + zz), xy - wz, xz + wy},
                {xy + wz, 1.0 - (xx + zz), yz - wx},
                {xz - wy, yz + wx, 1.0 - (xx + yy)}};
        }
        double[] vox = {fixedPixdim(1), fixedPixdim(2), fixedPixdim(3) * qfac()};
        double[] off = {qoffsetX, qoffsetY, qoffsetZ};
        double[] m = new double[16];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                m[row * 4 + col] = r[row][col] * vox[col];
            }
            m[row * 4 + 3] = off[row];
        }
        m[15] = 1;
        return m;
    }

    /** The sform affine (RAS, 16 row-major values) from srow_x/y/z. */
    double[] sformMatrix() {
        double[] m = new double[16];
        System.arraycopy(srowX, 0, m, 0, 4);
        System.arraycopy(srowY, 0, m, 4, 4);
        System.arraycopy(srowZ, 0, m, 8, 4);
        m[15] = 1;
        return m;
    }

    /**
     * The fallback affine of nibabel's {@code get_base_affine}: diag(-pixdim[1], pixdim[2], pixdim[3]) with the
     * origin at the centre of the grid ({@code shape_zoom_affine} with x flipped).
     */
    double[] baseMatrix() {
        int n = Math.max(0, Math.min(rank(), 7));
        double[] shape = {1, 1, 1};
        double[] zooms = {1, 1, 1};
        for (int i = 0; i < Math.min(n, 3); i++) {
            shape[i] = dim[i + 1];
            zooms[i] = fixedPixdim(i + 1);
        }
        zooms[0] = -zooms[0];
        double[] m = new double[16];
        for (int i = 0; i < 3; i++) {
            m[i * 4 + i] = zooms[i];
            m[i * 4 + 3] = -((shape[i] - 1) / 2.0) * zooms[i];
        }
        m[15] = 1;
        return m;
    }

    @Override
    public String toString() {
        return "NiftiHeader[" + version + " " + order + " dim " + Arrays.toString(dim) + " datatype " + datatype + "]";
    }
}
