package dev.medsam.examples.cli;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.Prompts;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.internal.OriginalSizeMasks;
import dev.medsam.core.internal.PreparedImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.Device;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.SamModel;
import dev.medsam.examples.DemoData;
import dev.medsam.examples.MaskImages;
import dev.medsam.examples.ModelCache;
import dev.medsam.io.MedicalImages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code medsam demo}: the whole MedSAM pipeline on the CT slice bundled with the examples (a box around the liver,
 * soft-tissue window), stage by stage with timings, writing an overlay and the mask. Needs nothing outside the
 * repository: without a MedSAM checkpoint it runs the bundled tiny test checkpoint and says that its mask is not
 * meaningful.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Segment the liver on a CT slice bundled with medsam (512 x 512, dcmqi test data, BSD-3-Clause) with a box "
                    + "prompt, the soft-tissue window (40/400 HU) and MedSAM's pipeline; print the time of every stage "
                    + "and write overlay.png (the slice with the mask's outline), mask.png (0/255) and mask.nii.gz "
                    + "(0/1 on the slice's grid).",
            "Checkpoint: --checkpoint, else $MEDSAM_CHECKPOINT, else medsam_vit_b.pth in the model cache "
                    + "($MEDSAM_HOME, default ~/.cache/medsam), else the bundled tiny test checkpoint, whose random "
                    + "weights give a mask that is not meaningful.",
        })
public final class DemoCommand implements Callable<Integer> {

    /** Where the demo writes when no --out-dir is given (relative to the working directory). */
    static final String DEFAULT_OUT_DIR = "medsam-demo";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--checkpoint"}, paramLabel = "FILE",
            description = "MedSAM checkpoint (.pth or .safetensors); default: see above.")
    Path checkpoint;

    @Option(names = {"-o", "--out-dir"}, paramLabel = "DIR", defaultValue = DEFAULT_OUT_DIR,
            description = "Folder for the outputs, created if needed (default: ./${DEFAULT-VALUE}).")
    Path outDir;

    @Mixin
    DeviceOption device;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        Device chosenDevice = device.value(cl);
        compute.check(cl);
        CliValues.requireWritableFolder(cl, "--out-dir", outDir);
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        StageTimings timings = new StageTimings();

        CheckpointChoice model = chooseCheckpoint(checkpoint, ModelCache.fromEnvironment());
        out.println("MedSAM demo: the liver on a CT slice (512 x 512, bundled with medsam; dcmqi test data, BSD-3-Clause)");
        out.println("checkpoint: " + model.path() + " (" + model.source() + ")");
        if (model.tiny()) {
            err.println("medsam demo: note: no MedSAM checkpoint found, so the bundled tiny test checkpoint (random weights) "
                    + "was used and this mask is NOT meaningful; for real masks get medsam_vit_b.pth (linked from the "
                    + "README of https://github.com/bowang-lab/MedSAM) into " + ModelCache.fromEnvironment().directory()
                    + " with 'medsam download --url URL', or pass --checkpoint FILE");
            err.flush();
        }
        Box box = DemoData.LIVER_BOX;
        IntensityPreset window = IntensityPreset.ctWindow("soft-tissue");
        Pipeline pipeline = Pipeline.MEDSAM;
        out.println(String.format(Locale.ROOT, "box: %s (x0,y0,x1,y1 in pixels); window: %s (40/400 HU); pipeline: %s",
                boxText(box), window.name(), pipeline.name()));
        out.flush();

        MedicalImage ct = timings.time("read image (DICOM)", () -> MedicalImages.read(DemoData.ctSlice()).image());
        SamCheckpoint weights = timings.time("read checkpoint", () -> SamCheckpoint.load(model.path()));
        BackendOptions options = compute.backendOptions(cl).device(chosenDevice).build();
        OriginalSizeMasks masks;
        float iou;
        String backendName;
        try (Backend backend = timings.time("start backend", () -> Backends.open(Optional.empty(), options));
             SamModel network = timings.time("build network (" + weights.architecture().name() + ")",
                     () -> backend.load(weights.architecture(), weights.weights()))) {
            backendName = backend.name();
            MedicalImage eightBit = timings.time("CT window " + window.name(), () -> window.apply(ct));
            PreparedImage prepared = timings.time("preprocess to 1024 x 1024", () -> PreparedImage.of(pipeline, eightBit));
            ImageEmbedding embedding = timings.time("image encoder", () -> network.imageEncoder().encode(prepared.tensor()));
            ModelFrame frame = prepared.frame();
            ModelPrompt prompt = frame.toModel(Prompts.of(box));
            MaskPrediction prediction = timings.time("prompt encoder + mask decoder",
                    () -> network.predict(embedding, List.of(prompt), false));
            iou = prediction.iou(0, 0);
            masks = timings.time("postprocess to " + ct.width() + " x " + ct.height(),
                    () -> frame.postprocess(prediction, 0, 0));

            BinaryMask mask = masks.binary();
            Files.createDirectories(outDir);
            Path overlay = outDir.resolve("overlay.png");
            Path maskPng = outDir.resolve("mask.png");
            Path maskNifti = outDir.resolve("mask.nii.gz");
            timings.time("write files", () -> {
                MedicalImages.write(MaskImages.overlay(eightBit, mask, box), overlay);
                MedicalImages.write(mask, ct, maskPng);
                MedicalImages.write(mask, ct, maskNifti);
                return null;
            });

            out.println("stages (" + backendName + ", " + chosenDevice.name().toLowerCase(Locale.ROOT) + "):");
            timings.printTable(out);
            double[] spacing = ct.spacing();
            out.println(String.format(Locale.ROOT, "mask: %,d pixels (%.1f cm2 at %.3f x %.3f mm), predicted IoU %.3f",
                    mask.count(), mask.count() * spacing[0] * spacing[1] / 100.0, spacing[0], spacing[1], iou));
            out.println("wrote:");
            out.println("  " + overlay + "  (the slice, soft-tissue window, mask outlined in yellow, box in cyan)");
            out.println("  " + maskPng + "  (0 background, 255 liver)");
            out.println("  " + maskNifti + "  (0/1 on the slice's grid and position)");
            out.flush();
        }
        return 0;
    }

    /** The checkpoint the demo runs and where it came from. */
    record CheckpointChoice(Path path, String source, boolean tiny) {
    }

    /** --checkpoint, else $MEDSAM_CHECKPOINT / the model cache, else the bundled tiny checkpoint. */
    static CheckpointChoice chooseCheckpoint(Path given, ModelCache cache) throws IOException {
        if (given != null) {
            return new CheckpointChoice(given, "--checkpoint", false);
        }
        Optional<Path> found = cache.defaultCheckpoint();
        if (found.isPresent()) {
            boolean cached = found.get().equals(cache.directory().resolve(ModelCache.MEDSAM_CHECKPOINT));
            return new CheckpointChoice(found.get(), cached ? "model cache" : "$MEDSAM_CHECKPOINT", false);
        }
        return new CheckpointChoice(DemoData.tinyCheckpoint(), "bundled tiny test checkpoint", true);
    }

    private static String boxText(Box b) {
        return String.format(Locale.ROOT, "%.0f,%.0f,%.0f,%.0f", b.x0(), b.y0(), b.x1(), b.y1());
    }
}
