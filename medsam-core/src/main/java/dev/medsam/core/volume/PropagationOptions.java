package dev.medsam.core.volume;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Settings of one 3D segmentation by {@link VolumeSegmenter}. Immutable and thread-safe; build with
 * {@link #builder()}, or use {@link #defaults()}.
 *
 * <ul>
 *   <li>{@link #preset()}: how stored values become 8 bits, applied to the WHOLE volume (the selected time point)
 *       so that CT windows rescale by the volume's clipped range and MR percentiles are the volume's, as MedSAM's
 *       {@code pre_CT_MR.py} does. Default: {@link IntensityPreset#defaultFor(MedicalImage)} of the volume.</li>
 *   <li>{@link #axis()}: the array axis slices are taken across, 0, 1 or 2 (default 2, the volume's third axis:
 *       axial for most CT). Slice planes are those of {@link MedicalImage#plane(int, int, int)}.</li>
 *   <li>{@link #time()}: the time point of a 4D series (default 0).</li>
 *   <li>{@link #marginPixels(int, int)}: how far the box derived from a mask reaches beyond the mask's bounding
 *       box, in the slice's own pixels, on every side. Default {@value #REFERENCE_MARGIN_AT_256} pixels per 256
 *       pixels of the plane's longest side (6 px on a 512x512 slice): the CVPR 2024 reference adds
 *       {@code bbox_shift = 3} to the mask's box in its 256-pixel frame.</li>
 *   <li>{@link #maxExtraSlices()}: 0 (default) stops at the prompt's slice range; a positive value lets
 *       propagation continue beyond each end of the range while the masks stay non-empty, for at most that many
 *       slices.</li>
 * </ul>
 */
public final class PropagationOptions {

    /** The default margin, in pixels per 256 pixels of the slice's longest side. */
    public static final double REFERENCE_MARGIN_AT_256 = 3;

    private static final PropagationOptions DEFAULTS = builder().build();

    private final IntensityPreset preset;
    private final int axis;
    private final int time;
    private final OptionalDouble margin;
    private final int maxExtraSlices;

    private PropagationOptions(Builder b) {
        this.preset = b.preset;
        this.axis = b.axis;
        this.time = b.time;
        this.margin = b.margin;
        this.maxExtraSlices = b.maxExtraSlices;
    }

    /** Every setting at its default. */
    public static PropagationOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The intensity preset, if one was chosen (else the volume's default). */
    public Optional<IntensityPreset> preset() {
        return Optional.ofNullable(preset);
    }

    /** The preset for {@code volume}: the chosen one, else {@link IntensityPreset#defaultFor(MedicalImage)}. */
    public IntensityPreset presetFor(MedicalImage volume) {
        return preset != null ? preset : IntensityPreset.defaultFor(volume);
    }

    /** The slicing axis: 0, 1 or 2. */
    public int axis() {
        return axis;
    }

    /** The time index of a 4D series. */
    public int time() {
        return time;
    }

    /** The margin set explicitly, in pixels (empty: the reference margin). */
    public OptionalDouble margin() {
        return margin;
    }

    /** The margin in pixels for a slice of {@code width x height}. */
    public double marginPixels(int width, int height) {
        return margin.isPresent() ? margin.getAsDouble()
                : REFERENCE_MARGIN_AT_256 * Math.max(width, height) / 256.0;
    }

    /** Slices propagation may go beyond each end of a prompt's range (0: none). */
    public int maxExtraSlices() {
        return maxExtraSlices;
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.preset = preset;
        b.axis = axis;
        b.time = time;
        b.margin = margin;
        b.maxExtraSlices = maxExtraSlices;
        return b;
    }

    @Override
    public String toString() {
        return "PropagationOptions[preset " + (preset == null ? "default" : preset.name()) + ", axis " + axis
                + ", time " + time + ", margin " + (margin.isPresent() ? margin.getAsDouble() + " px" : "reference")
                + ", extra slices " + maxExtraSlices + "]";
    }

    /** Builder for {@link PropagationOptions}. */
    public static final class Builder {
        private IntensityPreset preset;
        private int axis = 2;
        private int time;
        private OptionalDouble margin = OptionalDouble.empty();
        private int maxExtraSlices;

        private Builder() {
        }

        /** The intensity preset applied to the whole volume (a CT window, the percentile preset, as-is). */
        public Builder preset(IntensityPreset preset) {
            this.preset = Objects.requireNonNull(preset, "preset");
            return this;
        }

        /**
         * The array axis to slice across.
         *
         * @throws IllegalArgumentException unless 0, 1 or 2
         */
        public Builder axis(int axis) {
            if (axis < 0 || axis > 2) {
                throw new IllegalArgumentException("slicing axis must be 0, 1 or 2, got " + axis);
            }
            this.axis = axis;
            return this;
        }

        /**
         * The time point of a 4D series.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder time(int time) {
            if (time < 0) {
                throw new IllegalArgumentException("time index must be 0 or more, got " + time);
            }
            this.time = time;
            return this;
        }

        /**
         * A fixed margin in the slice's pixels added on every side of a mask's bounding box.
         *
         * @throws IllegalArgumentException if negative or not finite
         */
        public Builder margin(double pixels) {
            if (!(pixels >= 0) || !Double.isFinite(pixels)) {
                throw new IllegalArgumentException("margin must be a finite number of pixels, 0 or more, got " + pixels);
            }
            this.margin = OptionalDouble.of(pixels);
            return this;
        }

        /** Back to the reference margin ({@value PropagationOptions#REFERENCE_MARGIN_AT_256} px per 256 px). */
        public Builder referenceMargin() {
            this.margin = OptionalDouble.empty();
            return this;
        }

        /**
         * Continue beyond each end of a prompt's slice range while the masks are non-empty, for at most
         * {@code maxSlices} slices per end (and never beyond the volume). Beyond the range an empty mask ends that
         * direction: there is no fallback box there. 0 stops at the range (the default).
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder extendUntilEmpty(int maxSlices) {
            if (maxSlices < 0) {
                throw new IllegalArgumentException("extra slices must be 0 or more, got " + maxSlices);
            }
            this.maxExtraSlices = maxSlices;
            return this;
        }

        public PropagationOptions build() {
            return new PropagationOptions(this);
        }
    }
}
