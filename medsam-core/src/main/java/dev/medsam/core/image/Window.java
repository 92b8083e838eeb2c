package dev.medsam.core.image;

/**
 * A display window (DICOM Window Center/Width, or a CT window for MedSAM's preprocessing), in real
 * (rescaled) units such as Hounsfield units.
 *
 * @param center window level
 * @param width  window width, positive
 */
public record Window(double center, double width) {

    public Window {
        if (!Double.isFinite(center) || !Double.isFinite(width) || width <= 0) {
            throw new IllegalArgumentException("a window needs a finite centre and a positive width, got " + center
                    + "/" + width);
        }
    }

    /** {@code center - width / 2}. */
    public double lower() {
        return center - width / 2;
    }

    /** {@code center + width / 2}. */
    public double upper() {
        return center + width / 2;
    }
}
