package dev.medsam.core.spi;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One object's prompt in the model's square input frame (1024x1024 for SAM and MedSAM, 256x256 for
 * LiteMedSAM: {@link SamModel#architecture()}'s image size), as the prompt encoder consumes it: points
 * {@code (x, y)} with SAM labels (1 positive, 0 negative), an optional box {@code (x0, y0, x1, y1)} and an
 * optional 256x256 mask prompt. Float32 like the reference. The session builds these from {@code dev.medsam.core.Prompts}
 * with the image's size; backends never see original-image coordinates.
 */
public final class ModelPrompt {

    /** Side of a mask prompt: the decoder's low-resolution output, fed back. */
    public static final int MASK_SIZE = 256;

    private final float[] points;
    private final int[] labels;
    private final float[] box;
    private final FloatTensor mask;

    private ModelPrompt(float[] points, int[] labels, float[] box, FloatTensor mask) {
        this.points = points;
        this.labels = labels;
        this.box = box;
        this.mask = mask;
    }

    /** A builder for a prompt with points, a box, a mask prompt, or any mix of them. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects the parts of one prompt; {@link #build()} validates them together. Not thread-safe; arrays are
     * copied when {@link #build()} runs.
     */
    public static final class Builder {
        private float[] points = new float[0];
        private int[] labels = new int[0];
        private float[] box;
        private FloatTensor mask;

        private Builder() {
        }

        /**
         * @param pointsXy interleaved {@code x0, y0, x1, y1, ...} in the model frame
         * @param labels   one SAM label (0 or 1) per point
         */
        public Builder points(float[] pointsXy, int[] labels) {
            this.points = Objects.requireNonNull(pointsXy, "points");
            this.labels = Objects.requireNonNull(labels, "labels");
            return this;
        }

        /** @param box {@code {x0, y0, x1, y1}} in the model frame */
        public Builder box(float[] box) {
            this.box = Objects.requireNonNull(box, "box");
            return this;
        }

        /** @param mask a mask prompt of shape (256, 256): low-resolution logits from an earlier prediction */
        public Builder mask(FloatTensor mask) {
            this.mask = Objects.requireNonNull(mask, "mask");
            return this;
        }

        /**
         * @throws IllegalArgumentException on mismatched lengths, labels other than 0/1, non-finite coordinates,
         *                                  a mask that is not 256x256, or a prompt with nothing in it
         */
        public ModelPrompt build() {
            if (points.length != 2 * labels.length) {
                throw new IllegalArgumentException(labels.length + " point labels need " + 2 * labels.length
                        + " coordinates, got " + points.length);
            }
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != 0 && labels[i] != 1) {
                    throw new IllegalArgumentException("point " + i + " has label " + labels[i] + "; expected 0 or 1");
                }
            }
            requireFinite("point coordinate", points);
            float[] b = box == null ? null : box.clone();
            if (b != null) {
                if (b.length != 4) {
                    throw new IllegalArgumentException("a box has 4 coordinates, got " + b.length);
                }
                requireFinite("box coordinate", b);
            }
            if (mask != null && !mask.hasShape(MASK_SIZE, MASK_SIZE)) {
                throw new IllegalArgumentException("a mask prompt must be 256x256, got " + mask);
            }
            if (labels.length == 0 && b == null && mask == null) {
                throw new IllegalArgumentException("a prompt needs at least a box, a point or a mask");
            }
            return new ModelPrompt(points.clone(), labels.clone(), b, mask);
        }
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

    /** The mask prompt, shape (256, 256), if any. */
    public Optional<FloatTensor> mask() {
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
