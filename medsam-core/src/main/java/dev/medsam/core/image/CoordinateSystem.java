package dev.medsam.core.image;

/**
 * Patient coordinate conventions. Both are right-handed, in millimetres; they differ by the sign of x and y.
 */
public enum CoordinateSystem {
    /** x to the patient's Left, y Posterior, z Superior (DICOM, ITK). */
    LPS,
    /** x to the patient's Right, y Anterior, z Superior (NIfTI, nibabel, 3D Slicer). */
    RAS
}
