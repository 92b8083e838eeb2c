package dev.medsam.io.dicom.internal;

import dev.medsam.core.image.Rescale;
import dev.medsam.core.image.Window;

import java.util.Optional;

/**
 * What one frame says about itself, from its per-frame functional groups, the shared ones, or the top level (in that
 * order of precedence). Arrays are owned by this record; callers copy before handing them out.
 *
 * @param position          Image Position (Patient) in LPS mm, or null
 * @param orientation       Image Orientation (Patient): row then column direction cosines, or null
 * @param pixelSpacing      Pixel Spacing: [between rows, between columns] mm, or null
 * @param sliceThickness    Slice Thickness mm, or NaN
 * @param spacingBetween    Spacing Between Slices mm, or NaN
 * @param rescale           Rescale Slope/Intercept (identity if absent)
 * @param window            first Window Center/Width, or null
 * @param referencedSop     the source image this frame derives from (SEG), or null
 * @param segmentNumber     Referenced Segment Number (SEG), or 0
 */
public record FrameData(double[] position, double[] orientation, double[] pixelSpacing, double sliceThickness,
                        double spacingBetween, Rescale rescale, Window window, String referencedSop, int segmentNumber) {

    public Optional<double[]> positionOpt() {
        return Optional.ofNullable(position).map(double[]::clone);
    }
}
