package dev.medsam.examples.cli;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.StageListener.Stage;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.Device;
import dev.medsam.examples.DemoData;
import dev.medsam.examples.ModelCache;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.image2d.Overlay;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
            description = "A MedSAM or LiteMedSAM checkpoint file; default: see above.")
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
        MedicalImage ct = timings.time("read image (DICOM)", () -> MedicalImages.read(DemoData.ctSlice()).image());
        String size = ct.width() + " x " + ct.height();
        // The session's stages are collected by stage and named once the run is over: the names tell the input
        // size of the pipeline that the session picks from the checkpoint (LiteMedSAM's for a TinyViT one).
        Map<Stage, Duration> sessionStages = Collections.synchronizedMap(new EnumMap<>(Stage.class));
        try (SegmentationSession session = compute.applyTo(SegmentationSession.builder(model.path()), cl)
                .device(chosenDevice).cacheSize(0)
                .stageListener((stage, took) -> sessionStages.merge(stage, took, Duration::plus)).build()) {
            out.println(String.format(Locale.ROOT, "box: %s (x0,y0,x1,y1 in pixels); window: %s (40/400 HU); "
                    + "pipeline: %s", boxText(box), window.name(), session.pipeline().name()));
            out.flush();
            Segmentation result = session.segment(session.encode(ct, window), List.of(Prompts.of(box)), false).get(0);
            sessionStages.forEach((stage, took) -> timings.add(stageName(stage, window, session.pipeline(), size), took));
            BinaryMask mask = result.binary();
            MedicalImage eightBit = window.apply(ct); // for the overlay: the slice as the network saw it
            Files.createDirectories(outDir);
            Path overlay = outDir.resolve("overlay.png");
            Path maskPng = outDir.resolve("mask.png");
            Path maskNifti = outDir.resolve("mask.nii.gz");
            timings.time("write files", () -> {
                MedicalImages.write(Overlay.builder(eightBit).mask(mask, Overlay.YELLOW, Overlay.GREEN).box(box)
                        .toImage(), overlay);
                MedicalImages.write(mask, ct, maskPng);
                MedicalImages.write(mask, ct, maskNifti);
                return null;
            });

            out.println("stages (" + session.architecture().name() + ", "
                    + chosenDevice.name().toLowerCase(Locale.ROOT) + "):");
            timings.printTable(out);
            double[] spacing = ct.spacing();
            out.println(String.format(Locale.ROOT, "mask: %,d pixels (%.1f cm2 at %.3f x %.3f mm), predicted IoU %.3f",
                    mask.count(), mask.count() * spacing[0] * spacing[1] / 100.0, spacing[0], spacing[1],
                    result.iou()));
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

    /** A session stage as the demo's table names it. */
    private static String stageName(Stage stage, IntensityPreset window, Pipeline pipeline, String imageSize) {
        return switch (stage) {
            case CHECKPOINT -> "read checkpoint";
            case BACKEND -> "start backend";
            case NETWORK -> "build network";
            case PRESET -> "CT window " + window.name();
            case PREPROCESS -> "preprocess to " + pipeline.inputSize() + " x " + pipeline.inputSize();
            case ENCODER -> "image encoder";
            case DECODER -> "prompt encoder + mask decoder";
            case POSTPROCESS -> "postprocess to " + imageSize;
        };
    }

    private static String boxText(Box b) {
        return String.format(Locale.ROOT, "%.0f,%.0f,%.0f,%.0f", b.x0(), b.y0(), b.x1(), b.y1());
    }
}
