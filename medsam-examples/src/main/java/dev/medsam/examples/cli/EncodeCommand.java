package dev.medsam.examples.cli;

import dev.medsam.core.SegmentationSession;
import dev.medsam.core.StageListener;
import dev.medsam.core.spi.Device;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.NpyDtype;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;

/**
 * {@code medsam encode}: the image encoder alone, on an input that is already preprocessed, for parity checks
 * and for timing the network without any pre- or postprocessing.
 */
@Command(name = "encode",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run the image encoder alone on an already preprocessed input: float32 (1, 3, 1024, 1024), NCHW, as "
                    + "MedSAM's preprocessing makes it (values in [0, 1]). Writes the (1, 256, 64, 64) embedding.",
            "--timings prints the seconds of each stage: load (checkpoint and input), build (backend and network), "
                    + "encode.",
        })
public final class EncodeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CheckpointOption checkpoint;

    @Option(names = "--input", required = true, paramLabel = "FILE.npy",
            description = "The network input, float32 of shape (1, 3, 1024, 1024).")
    Path input;

    @Option(names = "--save-embedding", required = true, paramLabel = "FILE.npy",
            description = "Where to write the embedding, float32 (1, 256, 64, 64).")
    Path saveEmbedding;

    @Mixin
    ComputeOptions compute;

    @Mixin
    DeviceOption device;

    @Mixin
    TimingOptions timing;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        compute.check(cl);
        timing.check(cl);
        Device dev = device.value(cl);
        OutputFiles.add(cl, new LinkedHashMap<>(), "--save-embedding", saveEmbedding, ".npy");
        Path modelFile = checkpoint.resolve(cl);

        StageTimings clock = new StageTimings();
        ImageTensor tensor = readInput(input);
        clock.lap("load");
        StageListener listener = clock.listener(stage -> switch (stage) {
            case CHECKPOINT -> "load";
            case BACKEND, NETWORK -> "build";
            default -> "encode"; // encodeInput runs the encoder alone
        });
        ImageEmbedding embedding;
        String architecture;
        try (SegmentationSession session = compute.applyTo(SegmentationSession.builder(modelFile), cl).device(dev)
                .cacheSize(0).stageListener(listener).build()) {
            architecture = session.architecture().name();
            clock.untimed(() -> {
                for (int i = 0; i < timing.warmup; i++) {
                    session.encodeInput(tensor);
                }
                return null;
            });
            embedding = session.encodeInput(tensor);
        }
        Npy.write(saveEmbedding, NpyArray.of(embedding.tensor()));

        PrintWriter out = cl.getOut();
        out.println("wrote " + saveEmbedding + " " + CliValues.shapeText(embedding.tensor().shape()) + " ("
                + architecture + ")");
        if (timing.timings) {
            clock.printSeconds(out);
        }
        out.flush();
        return 0;
    }

    /** Reads the input array: float32 (1, 3, 1024, 1024), finite values. */
    static ImageTensor readInput(Path file) throws IOException {
        NpyArray a = Npy.read(file);
        int[] expected = {1, 3, ImageTensor.SIZE, ImageTensor.SIZE};
        if (a.dtype() != NpyDtype.FLOAT32 || !Arrays.equals(a.shape(), expected)) {
            throw new IllegalArgumentException("--input " + file + ": expected a float32 array of shape "
                    + CliValues.shapeText(expected) + " (the preprocessed image, NCHW), got "
                    + a.dtype().numpyName() + " " + CliValues.shapeText(a.shape()));
        }
        float[] v = a.toFloatArray();
        int plane = ImageTensor.SIZE * ImageTensor.SIZE;
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException("--input " + file + ": value " + v[i] + " at (0, " + i / plane
                        + ", " + i % plane / ImageTensor.SIZE + ", " + i % ImageTensor.SIZE + ") is not finite");
            }
        }
        return new ImageTensor(FloatTensor.wrap(expected, v));
    }
}
