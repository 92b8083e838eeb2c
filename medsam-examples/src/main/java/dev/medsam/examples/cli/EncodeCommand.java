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
                    + "MedSAM's preprocessing makes it (values in [0, 1]), or (1, 3, 256, 256) for a LiteMedSAM "
                    + "checkpoint. Writes the (1, 256, 64, 64) embedding.",
            "--timings prints the seconds of each stage: load (checkpoint and input), build (backend and network), "
                    + "encode.",
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
            requireSize(tensor, session.architecture().imageSize());
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

    /** Reads the input array: float32 (1, 3, size, size), finite values; size is the model's (1024 or 256). */
    /** The input sizes the encoders take: 1024 (MedSAM and SAM ViT) and 256 (LiteMedSAM's TinyViT). */
    private static final int[] MODEL_SIZES = {1024, 256};

    /**
     * Reads the input and checks it is a float32 (1, 3, S, S) of a size some model takes, before the model loads;
     * {@link #requireSize} checks S against the loaded model.
     */
    static ImageTensor readInput(Path file) throws IOException {
        NpyArray a = Npy.read(file);
        int[] shape = a.shape();
        boolean known = shape.length == 4 && shape[0] == 1 && shape[1] == 3 && shape[2] == shape[3]
                && Arrays.stream(MODEL_SIZES).anyMatch(s -> s == shape[2]);
        if (a.dtype() != NpyDtype.FLOAT32 || !known) {
            throw new IllegalArgumentException("--input " + file + ": expected a float32 array of shape "
                    + "(1, 3, 1024, 1024), or (1, 3, 256, 256) for LiteMedSAM (the preprocessed image, NCHW), got "
                    + a.dtype().numpyName() + " " + CliValues.shapeText(shape));
        }
        int size = shape[2];
        int[] expected = {1, 3, size, size};
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

    private void requireSize(ImageTensor tensor, int modelSize) {
        int[] shape = tensor.tensor().shape();
        if (shape[2] != modelSize) {
            throw new IllegalArgumentException("--input " + input + ": this checkpoint's encoder takes float32 (1, 3, "
                    + modelSize + ", " + modelSize + "), got " + CliValues.shapeText(shape));
        }
    }
}
