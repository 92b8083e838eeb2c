package dev.medsam.core.spi;

import dev.medsam.core.MaskLogits;
import dev.medsam.core.MaskPrompt;
import dev.medsam.core.Prompts;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One object's prompt in the model's 1024x1024 frame, as the prompt encoder consumes it: points
 * {@code (x, y)} with SAM labels (1 positive, 0 negative), an optional box {@code (x0, y0, x1, y1)} and an
 * optional 256x256 mask prompt. Float32 like the reference. The pipeline builds these from {@link Prompts}
 * with the image's size; backends never see original-image coordinates.
 */
public final class ModelPrompt {

    private final float[] points;
    private final int[] labels;
    private final float[] box;
    private final MaskLogits mask;

    private ModelPrompt(float[] points, int[] labels, float[] box, MaskLogits mask) {
        this.points = points;
        this.labels = labels;
        this.box = box;
        this.mask = mask;
    }

    /**
     * @param pointsXy interleaved {@code x0, y0, x1, y1, ...} in the 1024 frame (copied; may be empty)
     * @param labels   one SAM label (0 or 1) per point (copied)
     * @param box      {@code {x0, y0, x1, y1}} in the 1024 frame, or empty
     * @param mask     a 256x256 mask prompt, or empty
     * @throws IllegalArgumentException on mismatched lengths, labels other than 0/1, non-finite coordinates,
     *                                  or a prompt with nothing in it
     */
    public static ModelPrompt of(float[] pointsXy, int[] labels, Optional<float[]> box, Optional<MaskLogits> mask) {
        Objects.requireNonNull(pointsXy, "points");
        Objects.requireNonNull(labels, "labels");
        if (pointsXy.length != 2 * labels.length) {
            throw new IllegalArgumentException(labels.length + " point labels need " + 2 * labels.length
                    + " coordinates, got " + pointsXy.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("point " + i + " has label " + labels[i] + "; expected 0 or 1");
            }
        }
        requireFinite("point coordinate", pointsXy);
        float[] b = box.map(float[]::clone).orElse(null);
        if (b != null) {
            if (b.length != 4) {
                throw new IllegalArgumentException("a box has 4 coordinates, got " + b.length);
            }
            requireFinite("box coordinate", b);
        }
        MaskLogits m = mask.orElse(null);
        if (m != null && (m.width() != MaskPrompt.SIZE || m.height() != MaskPrompt.SIZE)) {
            throw new IllegalArgumentException("a mask prompt must be 256x256, got " + m);
        }
        if (labels.length == 0 && b == null && m == null) {
            throw new IllegalArgumentException("a prompt needs at least a box, a point or a mask");
        }
        return new ModelPrompt(pointsXy.clone(), labels.clone(), b, m);
    }

    private static void requireFinite(String what, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(what + " " + i + " is " + values[i]);
            }
        }
    }

    /** Number of points. */
    public int pointCount() {
        return labels.length;
    }

    /** Interleaved point coordinates (a copy). */
    public float[] points() {
        return points.clone();
    }

    /** SAM labels of the points (a copy). */
    public int[] labels() {
        return labels.clone();
    }

    /** The box corners (a copy), if any. */
    public Optional<float[]> box() {
        return Optional.ofNullable(box).map(float[]::clone);
    }

    /** The mask prompt, if any. */
    public Optional<MaskLogits> mask() {
        return Optional.ofNullable(mask);
    }

    /**
     * Whether this prompt can share a prompt-encoder batch with {@code other}: SAM batches prompts of the same
     * structure (same number of points, both with or without a box, both with or without a mask).
     */
    public boolean sameStructureAs(ModelPrompt other) {
        return other.labels.length == labels.length && (other.box == null) == (box == null)
                && (other.mask == null) == (mask == null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelPrompt p && Arrays.equals(p.points, points) && Arrays.equals(p.labels, labels)
                && Arrays.equals(p.box, box) && Objects.equals(p.mask, mask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(points), Arrays.hashCode(labels), Arrays.hashCode(box), mask);
    }

    @Override
    public String toString() {
        return "ModelPrompt[points=" + Arrays.toString(points) + ", labels=" + Arrays.toString(labels)
                + ", box=" + Arrays.toString(box) + (mask == null ? "" : ", mask=256x256") + "]";
    }
}
