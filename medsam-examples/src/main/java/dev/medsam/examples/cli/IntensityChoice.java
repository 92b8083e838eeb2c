package dev.medsam.examples.cli;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import picocli.CommandLine;

import java.util.Locale;
import java.util.Optional;

/**
 * What {@code --window} and {@code --modality} ask for. {@code --modality ct} is the soft-tissue window unless
 * {@code --window} names another, {@code mr} the percentile preset; {@code other} (where a command allows it)
 * keeps 8-bit data as is and gives anything else the percentiles; without either option the image decides
 * ({@link IntensityPreset#defaultFor}).
 */
final class IntensityChoice {

    private final Optional<IntensityPreset> fixed;
    private final boolean other;

    private IntensityChoice(Optional<IntensityPreset> fixed, boolean other) {
        this.fixed = fixed;
        this.other = other;
    }

    /**
     * Checks the two options together (usage errors: an unknown modality or window, a window with a modality
     * that is not CT).
     *
     * @param otherAllowed whether {@code --modality other} is accepted
     */
    static IntensityChoice parse(CommandLine cl, String window, String modality, boolean otherAllowed) {
        String m = modality == null ? "" : modality.trim().toLowerCase(Locale.ROOT);
        boolean known = m.isEmpty() || m.equals("ct") || m.equals("mr") || (otherAllowed && m.equals("other"));
        if (!known) {
            throw new CommandLine.ParameterException(cl, "--modality must be " + (otherAllowed ? "ct, mr or other"
                    : "ct or mr") + ", got '" + modality + "'");
        }
        if (window != null) {
            if (m.equals("mr") || m.equals("other")) {
                throw new CommandLine.ParameterException(cl, "--window is a CT window; it cannot go with --modality "
                        + m);
            }
            try {
                return new IntensityChoice(Optional.of(IntensityPreset.ctWindow(window)), false);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--window: " + e.getMessage());
            }
        }
        return switch (m) {
            case "ct" -> new IntensityChoice(Optional.of(IntensityPreset.ctWindow("soft-tissue")), false);
            case "mr" -> new IntensityChoice(Optional.of(IntensityPreset.percentile()), false);
            default -> new IntensityChoice(Optional.empty(), m.equals("other"));
        };
    }

    /** The preset the options name, if they name one (not for {@code other} or no option). */
    Optional<IntensityPreset> preset() {
        return fixed;
    }

    /** The preset for {@code image}: the named one, else as {@code other} or the image's default says. */
    IntensityPreset presetFor(MedicalImage image) {
        if (fixed.isPresent()) {
            return fixed.get();
        }
        if (other) {
            return image.dataType() == DataType.UINT8 ? IntensityPreset.asIs() : IntensityPreset.percentile();
        }
        return IntensityPreset.defaultFor(image);
    }
}
