package dev.medsam.io.dicom.internal;

/**
 * sRGB colours as DICOM's Recommended Display CIELab Value (0062,000D): three unsigned 16-bit numbers, L* from
 * 0..100 and a*, b* from -128..127 scaled linearly to 0..65535 (PS3.3 C.10.7.1.1), computed with the sRGB transfer
 * curve and the D65 white point (the same arithmetic as common colour libraries, e.g. skimage's rgb2lab).
 */
public final class CieLab {

    private static final double XN = 0.95047;
    private static final double YN = 1.0;
    private static final double ZN = 1.08883;

    private CieLab() {
    }

    /** DICOM-scaled L*a*b* of the sRGB colour (each 0..255). */
    public static int[] dicomLab(int r, int g, int b) {
        double rl = linear(r / 255.0);
        double gl = linear(g / 255.0);
        double bl = linear(b / 255.0);
        double x = 0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl;
        double y = 0.2126729 * rl + 0.7151522 * gl + 0.0721750 * bl;
        double z = 0.0193339 * rl + 0.1191920 * gl + 0.9503041 * bl;
        double fx = f(x / XN);
        double fy = f(y / YN);
        double fz = f(z / ZN);
        double l = 116 * fy - 16;
        double a = 500 * (fx - fy);
        double bb = 200 * (fy - fz);
        return new int[] {scale(l / 100.0), scale((a + 128) / 255.0), scale((bb + 128) / 255.0)};
    }

    private static int scale(double unit) {
        return (int) Math.round(Math.max(0, Math.min(1, unit)) * 65535);
    }

    private static double linear(double c) {
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    private static double f(double t) {
        double d = 6.0 / 29;
        return t > d * d * d ? Math.cbrt(t) : t / (3 * d * d) + 4.0 / 29;
    }
}
