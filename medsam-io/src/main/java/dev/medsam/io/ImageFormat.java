package dev.medsam.io;

/**
 * The file formats {@link MedicalImages} recognises by content. {@link #displayName()} is the name used in
 * reports ({@code medsam inspect}) and in the reference data.
 */
public enum ImageFormat {
    /** Single-file NIfTI-1 ({@code .nii}, {@code .nii.gz}). */
    NIFTI1("NIfTI-1"),
    /** Single-file NIfTI-2 ({@code .nii}, {@code .nii.gz}). */
    NIFTI2("NIfTI-2"),
    /** A NumPy array ({@code .npy}). */
    NPY("NPY"),
    /** A zip of NumPy arrays ({@code .npz}). */
    NPZ("NPZ"),
    PNG("PNG"),
    JPEG("JPEG"),
    BMP("BMP"),
    TIFF("TIFF"),
    /** DICOM Part 10 ({@code .dcm}, or no extension); a folder of DICOM files is read as a series. */
    DICOM("DICOM"),
    /** NRRD: {@code .nrrd} (header and data), {@code .nhdr} (detached header), {@code .seg.nrrd} (3D Slicer). */
    NRRD("NRRD"),
    /** MetaImage (ITK): {@code .mha} (header and data) or {@code .mhd} (header beside a data file). */
    METAIMAGE("MetaImage");

    private final String displayName;

    ImageFormat(String displayName) {
        this.displayName = displayName;
    }

    /** The format's usual name: {@code NIfTI-1}, {@code NPY}, {@code PNG}, ... */
    public String displayName() {
        return displayName;
    }

    /** Whether this is a 2D picture format read through ImageIO (PNG, JPEG, BMP, TIFF). */
    public boolean isRaster() {
        return this == PNG || this == JPEG || this == BMP || this == TIFF;
    }
}
