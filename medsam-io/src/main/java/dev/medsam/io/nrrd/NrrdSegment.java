package dev.medsam.io.nrrd;

import java.util.Objects;

/**
 * One segment of a 3D Slicer segmentation ({@code .seg.nrrd}): the voxels of layer {@link #layer()} equal to
 * {@link #labelValue()} belong to it. Read from, and written as, the file's {@code Segment<N>_*} key/value
 * pairs ({@code _ID}, {@code _Name}, {@code _LabelValue}, {@code _Layer}, {@code _Color}).
 *
 * @param id         Slicer's segment id ({@code Segment_1}, ...); not blank
 * @param name       the name shown to the user; not blank
 * @param labelValue the voxel value of the segment, at least 1
 * @param layer      the layer (the component of a multi-layer file) holding it, 0 for a one-layer file
 * @param red        colour, red component in 0..1
 * @param green      colour, green component in 0..1
 * @param blue       colour, blue component in 0..1
 */
public record NrrdSegment(String id, String name, int labelValue, int layer, double red, double green, double blue) {

    public NrrdSegment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        if (id.isBlank() || id.contains("\n") || id.contains("\r")) {
            throw new IllegalArgumentException("segment id must be a non-blank single line, got '" + id + "'");
        }
        if (name.isBlank() || name.contains("\n") || name.contains("\r")) {
            throw new IllegalArgumentException("segment name must be a non-blank single line, got '" + name + "'");
        }
        if (labelValue < 1) {
            throw new IllegalArgumentException("segment " + id + ": label value must be at least 1, got " + labelValue);
        }
        if (layer < 0) {
            throw new IllegalArgumentException("segment " + id + ": layer must be at least 0, got " + layer);
        }
        for (double c : new double[] {red, green, blue}) {
            if (!(c >= 0 && c <= 1)) {
                throw new IllegalArgumentException("segment " + id + ": colour components must be in 0..1, got "
                        + red + " " + green + " " + blue);
            }
        }
    }

    /**
     * A segment on layer 0 named {@code name}, with id {@code Segment_<labelValue>} and a colour from a fixed
     * palette chosen by the label value.
     */
    public static NrrdSegment of(String name, int labelValue) {
        double[][] palette = {{0.5, 0.68, 0.5}, {0.95, 0.84, 0.57}, {0.69, 0.48, 0.4}, {0.44, 0.5, 0.86},
            {0.85, 0.4, 0.33}, {0.56, 0.79, 0.91}, {0.89, 0.77, 0.31}, {0.6, 0.33, 0.62}};
        double[] c = palette[Math.floorMod(labelValue - 1, palette.length)];
        return new NrrdSegment("Segment_" + labelValue, name, labelValue, 0, c[0], c[1], c[2]);
    }
}
