package dev.medsam.io.numpy;

/**
 * The order of the values in a MedSAM-style npz {@code spacing} array. Sources disagree: MedSAM's own
 * {@code pre_CT_MR.py} stores SimpleITK's {@code GetSpacing()}, which is (x, y, z), while the arrays are
 * (z, y, x); other files (and this project's {@code derived/} test data) store spacing in array order.
 */
public enum SpacingOrder {
    /** Spacing in the order of the array axes: (z, y, x) for a (D, H, W) volume, (y, x) for an (H, W) image. */
    ARRAY_ORDER,
    /** Spacing in SimpleITK / image order: (x, y, z), or (x, y) in 2D. */
    XYZ
}
