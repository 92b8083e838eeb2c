package dev.medsam.core.testing;

import java.util.Arrays;

/** Element-wise comparison with an absolute tolerance that reports the worst element. */
public final class Tolerance {

    private Tolerance() {
    }

    /** Fails unless every |actual - expected| is within {@code tolerance}; the message names the worst index. */
    public static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        double worst = maxAbsDiff(expected, actual);
        if (!(worst <= tolerance)) {
            int at = worstIndex(expected, actual);
            throw new AssertionError(what + ": max |diff| " + worst + " > " + tolerance + " at flat index " + at
                    + " (expected " + expected[at] + ", got " + actual[at] + ")");
        }
    }

    public static double maxAbsDiff(float[] expected, float[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            worst = Math.max(worst, d);
        }
        return worst;
    }

    private static int worstIndex(float[] expected, float[] actual) {
        int at = 0;
        double worst = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(d)) {
                return i;
            }
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        return at;
    }

    public static String shape(int[] shape) {
        return Arrays.toString(shape);
    }
}
