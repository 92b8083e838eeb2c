package dev.medsam.examples.cli;

import dev.medsam.core.spi.Device;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.Locale;

/** {@code --device} of the commands that open a backend themselves (a picocli mixin). */
final class DeviceOption {

    @Option(names = "--device", paramLabel = "cpu|gpu|auto", defaultValue = "cpu",
            description = "Where the network runs (default: ${DEFAULT-VALUE}); auto uses a GPU when one is usable, "
                    + "gpu needs the -Pgpu build and CUDA.")
    String device;

    /** The device asked for; anything but cpu, gpu or auto (in any case) is a usage error. */
    Device value(CommandLine cl) {
        try {
            return Device.valueOf(device.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--device must be cpu, gpu or auto, got '" + device + "'");
        }
    }
}
