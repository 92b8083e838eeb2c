package dev.medsam.core.image;

/**
 * The linear map from stored to real values: {@code real = stored * slope + intercept} (DICOM Rescale
 * Slope/Intercept, NIfTI scl_slope/scl_inter).
 *
 * @throws IllegalArgumentException if slope or intercept is not finite, or the slope is zero
 */
public record Rescale(double slope, double intercept) {

    /** Stored values are the real values. */
    public static final Rescale IDENTITY = new Rescale(1, 0);

    public Rescale {
        if (!Double.isFinite(slope) || !Double.isFinite(intercept) || slope == 0) {
            throw new IllegalArgumentException("rescale needs a finite non-zero slope and a finite intercept, got slope "
                    + slope + ", intercept " + intercept);
        }
    }

    /** Whether this is the identity. */
    public boolean isIdentity() {
        return slope == 1 && intercept == 0;
    }

    /** {@code stored * slope + intercept}. */
    public double apply(double stored) {
        return stored * slope + intercept;
    }
}
