package dev.medsam.io.nrrd;

import dev.medsam.core.image.MedicalImage;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A NRRD file as {@link NrrdReader} reads it.
 *
 * @param image     the voxels and their LPS geometry
 * @param fields    the header's fields by their canonical name ({@code type}, {@code sizes}, {@code space},
 *                  {@code space directions}, ...; "datafile" is reported as {@code data file}), values as
 *                  written
 * @param keyValues the header's {@code key:=value} pairs, in file order
 * @param segments  the segments of a 3D Slicer segmentation ({@code Segment<N>_*} pairs), in index order;
 *                  empty for other files
 */
public record NrrdImage(MedicalImage image, Map<String, String> fields, Map<String, String> keyValues,
                        List<NrrdSegment> segments) {

    public NrrdImage {
        Objects.requireNonNull(image, "image");
        fields = Map.copyOf(fields);
        keyValues = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(keyValues));
        segments = List.copyOf(segments);
    }

    /** Whether the file is a 3D Slicer segmentation (it names at least one segment). */
    public boolean isSegmentation() {
        return !segments.isEmpty();
    }
}
