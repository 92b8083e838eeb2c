package dev.medsam.io.nifti;

/** The two NIfTI header layouts. */
public enum NiftiVersion {
    /** 348-byte header, 16-bit dims, float32 geometry; magic {@code n+1}. The common one. */
    NIFTI1(348, 352, "n+1"),
    /** 540-byte header, 64-bit dims, float64 geometry; magic {@code n+2}. Needed when a dim exceeds 32767. */
    NIFTI2(540, 544, "n+2");

    private final int headerSize;
    private final int minDataOffset;
    private final String magic;

    NiftiVersion(int headerSize, int minDataOffset, String magic) {
        this.headerSize = headerSize;
        this.minDataOffset = minDataOffset;
        this.magic = magic;
    }

    /** {@code sizeof_hdr}: 348 or 540. */
    public int headerSize() {
        return headerSize;
    }

    /** Smallest {@code vox_offset} of a single-file image: the header plus the 4-byte extension flag. */
    public int minDataOffset() {
        return minDataOffset;
    }

    /** The single-file magic string. */
    public String magic() {
        return magic;
    }
}
