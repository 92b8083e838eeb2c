package dev.medsam.examples.cli;

import dev.medsam.io.numpy.SpacingOrder;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * {@code --spacing-order} of the commands that read challenge npz cases (a picocli mixin): {@code eval} and
 * {@code batch}. Anything but {@code array} or {@code xyz} (any case) is a usage error while the command line is
 * parsed.
 */
final class SpacingOrderOption {

    @Option(names = "--spacing-order", paramLabel = "array|xyz", defaultValue = "array", converter = ByName.class,
            description = "Order of the challenge npz 'spacing' values: array (one per array axis, as the reference "
                    + "evaluation uses them; default) or xyz (SimpleITK order, as MedSAM's pre_CT_MR.py stores them).")
    SpacingOrder spacingOrder;

    /** {@code array} or {@code xyz} to the order they name. */
    static final class ByName implements CommandLine.ITypeConverter<SpacingOrder> {
        @Override
        public SpacingOrder convert(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "array" -> SpacingOrder.ARRAY_ORDER;
                case "xyz" -> SpacingOrder.XYZ;
                default -> throw new CommandLine.TypeConversionException(
                        "must be array or xyz, got '" + text + "'");
            };
        }
    }
}
