package dev.medsam.examples.cli;

import dev.medsam.core.Device;
import dev.medsam.core.FloatTensor;
import dev.medsam.core.ImageEmbedding;
import dev.medsam.core.ImageTensor;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.SamModel;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.NpyDtype;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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
                    + "MedSAM's preprocessing makes it (values in [0, 1]). Writes the (1, 256, 64, 64) embedding.",
        })
public final class EncodeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--checkpoint"}, paramLabel = "FILE",
            description = "SAM/MedSAM checkpoint (.pth or .safetensors); default: $MEDSAM_CHECKPOINT, else "
                    + "medsam_vit_b.pth in the model cache (medsam download).")
    Path checkpoint;

    @Option(names = "--input", required = true, paramLabel = "FILE.npy",
            description = "The network input, float32 of shape (1, 3, 1024, 1024).")
    Path input;

    @Option(names = "--save-embedding", required = true, paramLabel = "FILE.npy",
            description = "Where to write the embedding, float32 (1, 256, 64, 64).")
    Path saveEmbedding;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Threads per network operation (default: ${DEFAULT-VALUE}, the backend's choice).")
    int threads;

    @Option(names = "--device", paramLabel = "cpu|gpu|auto", defaultValue = "cpu",
            description = "Where the network runs (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--timings", description = "Print the seconds each stage took: load (checkpoint and input), "
            + "build (backend and network), encode.")
    boolean timings;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0",
            description = "Run the encoder N times before the timed run.")
    int warmup;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        SegmentCommand.requireNonNegative(cl, "--threads", threads);
        SegmentCommand.requireNonNegative(cl, "--warmup", warmup);
        Device dev = SegmentCommand.parseDevice(cl, device);
        SegmentCommand.addOutput(cl, new LinkedHashMap<>(), "--save-embedding", saveEmbedding, ".npy");
        Path modelFile = Segment3dCommand.resolveCheckpoint(cl, checkpoint);

        Map<String, Double> seconds = new LinkedHashMap<>();
        long t = System.nanoTime();
        ImageTensor tensor = readInput(input);
        SamCheckpoint weights = SamCheckpoint.load(modelFile);
        long now = System.nanoTime();
        seconds.put("load", (now - t) / 1e9);
        t = now;

        ImageEmbedding embedding;
        BackendOptions options = BackendOptions.builder().device(dev).intraOpThreads(threads).build();
        try (Backend backend = Backends.open(Optional.empty(), options);
             SamModel model = backend.load(weights.architecture(), weights.weights())) {
            now = System.nanoTime();
            seconds.put("build", (now - t) / 1e9);
            for (int i = 0; i < warmup; i++) {
                model.imageEncoder().encode(tensor);
            }
            t = System.nanoTime();
            embedding = model.imageEncoder().encode(tensor);
            seconds.put("encode", (System.nanoTime() - t) / 1e9);
        }
        Npy.write(saveEmbedding, NpyArray.of(embedding.tensor()));

        PrintWriter out = cl.getOut();
        out.println("wrote " + saveEmbedding + " " + SegmentCommand.shapeText(embedding.tensor().shape()) + " ("
                + weights.architecture().name() + ")");
        if (timings) {
            seconds.forEach((k, v) -> out.println(String.format(Locale.ROOT, "%s: %.2f s", k, v)));
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
                    + SegmentCommand.shapeText(expected) + " (the preprocessed image, NCHW), got "
                    + a.dtype().numpyName() + " " + SegmentCommand.shapeText(a.shape()));
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
