package dev.medsam.core.pipeline;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Window;
import dev.medsam.core.pipeline.internal.Intensity;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How stored values become the 8-bit grey or RGB image that MedSAM was trained on, exactly as MedSAM's
 * {@code pre_CT_MR.py} does it. Applied to a whole volume the statistics are the volume's (as the reference
 * does); applied to one slice they are the slice's.
 *
 * <ul>
 *   <li>{@link AsIs}: 8-bit unsigned grey or RGB(A) images, unchanged.</li>
 *   <li>{@link CtWindow}: clip the real values (Hounsfield units, after the image's {@link
 *       dev.medsam.core.image.Rescale}) to {@code [level - width/2, level + width/2]}, then rescale by the
 *       CLIPPED image's own minimum and maximum to 0..255 and truncate. The result spans 0..255 even when the
 *       image does not span the window.</li>
 *   <li>{@link Percentile}: clip the real values to the 0.5th and 99.5th percentiles (NumPy's linear
 *       interpolation) of the values above 0, rescale by the clipped minimum and maximum to 0..255, truncate;
 *       values that were exactly 0 stay 0. For MR, ultrasound, mammography, OCT and anything else that is not
 *       8-bit.</li>
 * </ul>
 * In every case the float formula is NumPy's: {@code (clip(v) - min) / (max - min) * 255.0} in double, then
 * truncation to uint8. An image whose clipped values are all equal gives 0 everywhere (the reference divides 0
 * by 0 there; NumPy's cast of that NaN gives 0 on x86), with a warning.
 *
 * <p>{@link #defaultFor(MedicalImage)} picks the preset when none is named: 8-bit unsigned images as is, images
 * with modality {@code CT} the soft-tissue window, every other 16-bit, 32-bit, signed or floating-point image
 * the percentile preset.
 *
 * <p>Presets are immutable values and thread-safe; {@link #apply(MedicalImage)} returns a new uint8 image with
 * the source's dimensions, components, affine, modality and attributes (no rescale, no display window).
 */
public sealed interface IntensityPreset permits IntensityPreset.AsIs, IntensityPreset.CtWindow,
        IntensityPreset.Percentile {

    /**
     * Maps the image's values to uint8.
     *
     * @throws IllegalArgumentException if the image cannot take this preset (as-is on non-8-bit data, NaN or
     *                                  infinite values, no value above 0 for the percentile preset)
     */
    MedicalImage apply(MedicalImage image);

    /** A short name that {@link #parse(String)} reads back, e.g. {@code as-is}, {@code soft-tissue}, {@code 40,400}. */
    String name();

    /** 8-bit unsigned images unchanged. */
    static AsIs asIs() {
        return AsIs.INSTANCE;
    }

    /** A CT window with level and width in Hounsfield units. */
    static CtWindow ctWindow(double level, double width) {
        return new CtWindow(level + "," + width, new Window(level, width));
    }

    /**
     * A named CT window: {@code soft-tissue} (40/400, MedSAM's default), {@code lung} (-600/1500), {@code brain}
     * (40/80), {@code mediastinum} (50/350), {@code bone} (400/1800); or {@code level,width}.
     *
     * @throws IllegalArgumentException naming the text and the known names if it is neither
     */
    static CtWindow ctWindow(String nameOrLevelWidth) {
        Objects.requireNonNull(nameOrLevelWidth, "window name");
        String key = nameOrLevelWidth.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        Window w = CtWindow.NAMED.get(key);
        if (w != null) {
            return new CtWindow(key, w);
        }
        String[] parts = key.split(",");
        if (parts.length == 2) {
            try {
                return ctWindow(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("unknown CT window '" + nameOrLevelWidth + "': use one of "
                + CtWindow.NAMED.keySet() + " or level,width in HU such as 40,400");
    }

    /** MedSAM's MR-style clipping to the 0.5th and 99.5th percentiles of the values above 0. */
    static Percentile percentile() {
        return Percentile.MEDSAM;
    }

    /**
     * Clipping to other percentiles of the values above 0.
     *
     * @throws IllegalArgumentException unless {@code 0 <= lower < upper <= 100}
     */
    static Percentile percentile(double lower, double upper) {
        return new Percentile(lower, upper);
    }

    /**
     * The preset used when none is named: {@link #asIs()} for 8-bit unsigned data, the soft-tissue window for
     * modality CT, else {@link #percentile()}.
     */
    static IntensityPreset defaultFor(MedicalImage image) {
        if (image.dataType() == DataType.UINT8) {
            return asIs();
        }
        if (image.modality().map(m -> m.equalsIgnoreCase("CT")).orElse(false)) {
            return ctWindow("soft-tissue");
        }
        return percentile();
    }

    /**
     * Reads a preset name as a command line gives it: {@code as-is}, {@code percentile}, {@code percentile:1,99},
     * a CT window name, {@code ct:40,400} or {@code 40,400}.
     *
     * @throws IllegalArgumentException naming the text if it is none of these
     */
    static IntensityPreset parse(String text) {
        Objects.requireNonNull(text, "preset");
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("as-is") || t.equals("asis") || t.equals("none")) {
            return asIs();
        }
        if (t.equals("percentile") || t.equals("mr")) {
            return percentile();
        }
        if (t.startsWith("percentile:")) {
            String[] p = t.substring("percentile:".length()).split(",");
            try {
                if (p.length == 2) {
                    return percentile(Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim()));
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new IllegalArgumentException("bad percentile preset '" + text + "': use percentile:LOWER,UPPER");
        }
        if (t.startsWith("ct:")) {
            return ctWindow(t.substring(3));
        }
        return ctWindow(t);
    }

    /** 8-bit unsigned grey or RGB(A) data, unchanged. */
    record AsIs() implements IntensityPreset {

        private static final AsIs INSTANCE = new AsIs();

        @Override
        public MedicalImage apply(MedicalImage image) {
            if (image.dataType() != DataType.UINT8) {
                throw new IllegalArgumentException("the as-is preset takes 8-bit unsigned images; this one is "
                        + image.dataType().numpyName() + ": use a CT window or the percentile preset");
            }
            return Intensity.copyAsUint8(image);
        }

        @Override
        public String name() {
            return "as-is";
        }
    }

    /**
     * A CT window: clip the real values to the window, rescale by the clipped values' own range.
     *
     * @param name   how it was named ({@code soft-tissue} or {@code level,width})
     * @param window level and width in Hounsfield units
     */
    record CtWindow(String name, Window window) implements IntensityPreset {

        /** The named windows (level / width in HU), in the order messages and help list them. */
        static final Map<String, Window> NAMED = namedWindows();

        private static Map<String, Window> namedWindows() {
            Map<String, Window> m = new java.util.LinkedHashMap<>();
            m.put("soft-tissue", new Window(40, 400));
            m.put("lung", new Window(-600, 1500));
            m.put("brain", new Window(40, 80));
            m.put("mediastinum", new Window(50, 350));
            m.put("bone", new Window(400, 1800));
            return java.util.Collections.unmodifiableMap(m);
        }

        public CtWindow {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(window, "window");
        }

        @Override
        public MedicalImage apply(MedicalImage image) {
            // pre_CT_MR.py: lower = level - width / 2, upper = level + width / 2
            double lower = window.center() - window.width() / 2;
            double upper = window.center() + window.width() / 2;
            return Intensity.clipAndRescale(image, lower, upper, false, this.toString());
        }
    }

    /**
     * Percentile clipping of the values above 0 (NumPy's linear interpolation), zeros kept.
     *
     * @param lower lower percentile, e.g. 0.5
     * @param upper upper percentile, e.g. 99.5
     */
    record Percentile(double lower, double upper) implements IntensityPreset {

        private static final Percentile MEDSAM = new Percentile(0.5, 99.5);

        public Percentile {
            if (!(lower >= 0 && lower < upper && upper <= 100)) {
                throw new IllegalArgumentException("percentiles must satisfy 0 <= lower < upper <= 100, got "
                        + lower + " and " + upper);
            }
        }

        @Override
        public MedicalImage apply(MedicalImage image) {
            double[] bounds = Intensity.positivePercentiles(image, lower, upper);
            return Intensity.clipAndRescale(image, bounds[0], bounds[1], true, this.toString());
        }

        @Override
        public String name() {
            return equals(MEDSAM) ? "percentile" : "percentile:" + lower + "," + upper;
        }
    }
}
