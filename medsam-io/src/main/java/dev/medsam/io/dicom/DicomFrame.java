package dev.medsam.io.dicom;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.PatientPoint;
import dev.medsam.core.image.Rescale;
import dev.medsam.core.image.Window;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one frame of a DICOM object states about itself: for enhanced multi-frame objects from its per-frame and
 * shared functional groups, otherwise from the object's top-level attributes.
 *
 * <p>Immutable and thread-safe.
 */
public final class DicomFrame {

    private final int index;
    private final double[] position;
    private final double[] orientation;
    private final double[] pixelSpacing;
    private final double sliceThickness;
    private final Rescale rescale;
    private final Window window;

    DicomFrame(int index, double[] position, double[] orientation, double[] pixelSpacing, double sliceThickness,
               Rescale rescale, Window window) {
        this.index = index;
        this.position = position == null ? null : position.clone();
        this.orientation = orientation == null ? null : orientation.clone();
        this.pixelSpacing = pixelSpacing == null ? null : pixelSpacing.clone();
        this.sliceThickness = sliceThickness;
        this.rescale = rescale;
        this.window = window;
    }

    /** Index of the frame in the file, from 0. */
    public int index() {
        return index;
    }

    /** Image Position (Patient): the centre of the frame's first pixel, in LPS mm. */
    public Optional<PatientPoint> position() {
        return position == null ? Optional.empty()
                : Optional.of(new PatientPoint(CoordinateSystem.LPS, position[0], position[1], position[2]));
    }

    /** Image Orientation (Patient): six direction cosines, along a row then down a column, in LPS. */
    public Optional<double[]> orientation() {
        return Optional.ofNullable(orientation).map(double[]::clone);
    }

    /** Pixel Spacing in mm: [between rows (vertical), between columns (horizontal)], as DICOM orders it. */
    public Optional<double[]> pixelSpacing() {
        return Optional.ofNullable(pixelSpacing).map(double[]::clone);
    }

    /** Slice Thickness in mm (not the step between slices). */
    public OptionalDouble sliceThickness() {
        return Double.isNaN(sliceThickness) ? OptionalDouble.empty() : OptionalDouble.of(sliceThickness);
    }

    /** The frame's Rescale Slope/Intercept (identity if the file gives none). */
    public Rescale rescale() {
        return rescale;
    }

    /** The frame's first Window Center/Width, if any. */
    public Optional<Window> window() {
        return Optional.ofNullable(window);
    }

    @Override
    public String toString() {
        return "DicomFrame[" + index + (position == null ? "" : " at " + java.util.Arrays.toString(position)) + ", "
                + rescale + "]";
    }
}
