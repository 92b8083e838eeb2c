/**
 * MedSAM io: reading and writing medical image formats (DICOM, NIfTI, NumPy, PNG/JPEG/TIFF) as core's
 * {@code MedicalImage}. Depends on core only; the ImageIO codec plugins (TwelveMonkeys, JAI JPEG 2000) are found
 * at run time through {@code javax.imageio}'s service registry, so they need no {@code requires}. Packages named
 * {@code internal} are implementation details and are not exported.
 */
module dev.medsam.io {
    requires transitive dev.medsam.core;
    // BufferedImage and ImageIO appear in the image2d API and in the codecs.
    requires transitive java.desktop;

    exports dev.medsam.io;
    exports dev.medsam.io.files;
    exports dev.medsam.io.dicom;
    exports dev.medsam.io.image2d;
    exports dev.medsam.io.metaimage;
    exports dev.medsam.io.nifti;
    exports dev.medsam.io.nrrd;
    exports dev.medsam.io.numpy;
}
