package dev.medsam.examples.cli;

import dev.medsam.core.checkpoint.ModelCheckpoint;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.SamModel;
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
import java.util.Optional;
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
                    + "MedSAM's preprocessing makes it (values in [0, 1]), or (1, 3, 256, 256) for a LiteMedSAM "
                    + "checkpoint. Writes the (1, 256, 64, 64) embedding.",
        })
public final class EncodeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CheckpointOption checkpoint;

    @Option(names = "--input", required = true, paramLabel = "FILE.npy",
            description = "The network input, float32 of shape (1, 3, 1024, 1024); (1, 3, 256, 256) for LiteMedSAM.")
    Path input;

    @Option(names = "--save-embedding", required = true, paramLabel = "FILE.npy",
            description = "Where to write the embedding, float32 (1, 256, 64, 64).")
    Path saveEmbedding;

    @Mixin
    ComputeOptions compute;

    @Mixin
    DeviceOption device;

    @Option(names = "--timings", description = "Print the seconds each stage took: load (checkpoint and input), "
            + "build (backend and network), encode.")
    boolean timings;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0",
            description = "Run the encoder N times before the timed run.")
    int warmup;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        compute.check(cl);
        CliValues.requireNonNegative(cl, "--warmup", warmup);
        BackendOptions options = compute.backendOptions(cl).device(device.value(cl)).build();
        SegmentCommand.addOutput(cl, new LinkedHashMap<>(), "--save-embedding", saveEmbedding, ".npy");
        Path modelFile = checkpoint.resolve(cl);

        StageTimings clock = new StageTimings();
        ModelCheckpoint weights = ModelCheckpoint.load(modelFile);
        ImageTensor tensor = readInput(input, weights.architecture().imageSize());
        clock.lap("load");

        ImageEmbedding embedding;
        try (Backend backend = Backends.open(Optional.empty(), options);
             SamModel model = backend.load(weights.architecture(), weights.weights())) {
            clock.lap("build");
            for (int i = 0; i < warmup; i++) {
                model.imageEncoder().encode(tensor);
            }
            clock.skip();
            embedding = model.imageEncoder().encode(tensor);
            clock.lap("encode");
        }
        Npy.write(saveEmbedding, NpyArray.of(embedding.tensor()));

        PrintWriter out = cl.getOut();
        out.println("wrote " + saveEmbedding + " " + CliValues.shapeText(embedding.tensor().shape()) + " ("
                + weights.architecture().name() + ")");
        if (timings) {
            clock.printSeconds(out);
        }
        out.flush();
        return 0;
    }

    /** Reads the input array: float32 (1, 3, size, size), finite values; size is the model's (1024 or 256). */
    static ImageTensor readInput(Path file, int size) throws IOException {
        NpyArray a = Npy.read(file);
        int[] expected = {1, 3, size, size};
        if (a.dtype() != NpyDtype.FLOAT32 || !Arrays.equals(a.shape(), expected)) {
            throw new IllegalArgumentException("--input " + file + ": expected a float32 array of shape "
                    + CliValues.shapeText(expected) + " (the preprocessed image, NCHW), got "
                    + a.dtype().numpyName() + " " + CliValues.shapeText(a.shape()));
        }
        float[] v = a.toFloatArray();
        int plane = size * size;
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException("--input " + file + ": value " + v[i] + " at (0, " + i / plane
                        + ", " + i % plane / size + ", " + i % size + ") is not finite");
            }
        }
        return new ImageTensor(FloatTensor.wrap(expected, v));
    }
}
