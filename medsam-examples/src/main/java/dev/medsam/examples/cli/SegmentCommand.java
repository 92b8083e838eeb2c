package dev.medsam.examples.cli;

import dev.medsam.core.Box;
import dev.medsam.core.EncodedImage;
import dev.medsam.core.MaskLogits;
import dev.medsam.core.Point;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.StageListener;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.MedicalImages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code medsam segment}: segments objects in one 2D image (or one slice of a volume) from boxes and points, as
 * MedSAM_Inference.py does, and writes the label map, logits, probabilities, embedding or an overlay. It parses the
 * options ({@link PromptArgs}, {@link SliceInput}), runs a {@link SegmentationSession} whose
 * {@link StageListener} feeds {@code --timings}, and writes ({@link SegmentOutputs}).
 */
@Command(name = "segment",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Segment objects in a 2D image (PNG, JPEG, TIFF, BMP, DICOM, NPY) or one slice of a volume (NIfTI, "
                    + "DICOM, NPY; choose it with --slice) with a MedSAM checkpoint.",
            "Each --box is one object (label 1, 2, ... in the order given); all boxes are decoded as one batch. "
                    + "Every --point joins every object's prompt (or forms the only prompt when there is no box). "
                    + "Coordinates are pixels of the image (x = column, y = row).",
            "At least one output is required: --out, --save-logits, --save-prob, --save-embedding or --overlay. "
                    + "Outputs appear complete or not at all.",
            "--timings prints the seconds of each stage: load, preprocess, encode, decode, postprocess, write.",
        })
public final class SegmentCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CheckpointOption checkpoint;

    @Option(names = {"-i", "--image"}, required = true, paramLabel = "FILE",
            description = "The image: PNG, JPEG, TIFF, BMP, DICOM, NIfTI, NPY ((H, W) or (H, W, 3)), ...")
    Path image;

    @Option(names = "--slice", paramLabel = "K",
            description = "Slice index of a volume along --axis (required for volumes with more than one slice).")
    Integer slice;

    @Mixin
    VolumeIndexOptions volumeIndex;

    @Option(names = "--box", paramLabel = "X0,Y0,X1,Y1",
            description = "A box around one object, in pixels; repeat for several objects.")
    List<String> boxes = new ArrayList<>();

    @Option(names = "--point", paramLabel = "X,Y,LABEL",
            description = "A point in pixels with label 1 (on the object) or 0 (background); repeat for more. All "
                    + "points go into every object's prompt.")
    List<String> points = new ArrayList<>();

    @Option(names = "--mask-input", paramLabel = "FILE.npy",
            description = "Low-resolution logits of an earlier run (float32, (1, 1, 256, 256) or (256, 256), as "
                    + "--save-logits writes them) to refine; added to every object's prompt.")
    Path maskInput;

    @Option(names = "--multimask",
            description = "Let the decoder propose three masks per object and keep the one with the highest predicted "
                    + "IoU (SAM's way; MedSAM uses one mask).")
    boolean multimask;

    @Mixin
    WindowOption window;

    @Option(names = "--modality", paramLabel = "ct|mr|other",
            description = "ct: CT window (soft-tissue unless --window); mr: clip to the 0.5/99.5 percentiles of the "
                    + "positive values; other: 8-bit data as is, anything else by percentiles. Default: from the file "
                    + "(CT gets soft-tissue; 8-bit data is used as is; other data gets the percentiles). A slice of a "
                    + "volume takes its statistics from the whole volume, as MedSAM's pre_CT_MR.py does.")
    String modality;

    @Option(names = "--pipeline", paramLabel = "medsam|sam|litemedsam",
            description = "Pre- and postprocessing: medsam (as MedSAM's inference script, for MedSAM checkpoints), sam "
                    + "(Segment Anything's predictor, for plain SAM checkpoints) or litemedsam (the CVPR 2024 "
                    + "LiteMedSAM script). Default: from the checkpoint (litemedsam for LiteMedSAM, else medsam).")
    String pipelineName;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE",
            description = "Label map (uint8, the image's size; label i for box i, later boxes over earlier ones; 1 "
                    + "for a prompt without boxes), in the format the file's extension names: NumPy npy of shape (H, W); "
                    + "NIfTI nii or nii.gz, NRRD nrrd, seg.nrrd or nhdr, MetaImage mha or mhd, all with the source's "
                    + "geometry; PNG, where label i of N is the grey level round(255 i / N), so that one object is "
                    + "0/255; DICOM dcm, a DICOM SEG referencing the DICOM source image (one segment per object).")
    Path out;

    @Mixin
    SegLabelOption segLabel;

    @Option(names = "--save-logits", paramLabel = "FILE.npy",
            description = "Low-resolution logits, float32 (B, C, 256, 256); C = 3 with --multimask, else 1.")
    Path saveLogits;

    @Option(names = "--save-prob", paramLabel = "FILE.npy",
            description = "Probabilities at the image's size, float32 (B, H, W); with --multimask of the best mask.")
    Path saveProb;

    @Option(names = "--save-embedding", paramLabel = "FILE.npy",
            description = "The image embedding, float32 (1, 256, 64, 64).")
    Path saveEmbedding;

    @Option(names = "--overlay", paramLabel = "FILE.png",
            description = "The image as the model saw it (after the intensity preset) with each object's outline "
                    + "in its own colour.")
    Path overlay;

    @Mixin
    ComputeOptions compute;

    @Mixin
    DeviceOption device;

    @Mixin
    TimingOptions timing;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        PrintWriter err = cl.getErr();

        // ---- option values: usage errors (exit 2) before anything is read
        List<Box> boxList = new ArrayList<>();
        for (String b : boxes) {
            boxList.add(PromptArgs.parseBox(cl, b));
        }
        List<Point> pointList = new ArrayList<>();
        for (String p : points) {
            pointList.add(PromptArgs.parsePoint(cl, p));
        }
        if (boxList.isEmpty() && pointList.isEmpty() && maskInput == null) {
            throw new CommandLine.ParameterException(cl, "give at least one --box or --point (or a --mask-input)");
        }
        compute.check(cl);
        timing.check(cl);
        volumeIndex.check(cl);
        if (slice != null && slice < 0) {
            throw new CommandLine.ParameterException(cl, "--slice must be 0 or more, got " + slice);
        }
        var dev = device.value(cl);
        Optional<Pipeline> pipelineChoice = pipelineName == null ? Optional.empty()
                : Optional.of(parsePipeline(cl, pipelineName));
        IntensityChoice presetChoice = presetChoice(cl, window.window, modality);
        SegmentOutputs outputs = new SegmentOutputs(out, saveLogits, saveProb, saveEmbedding, overlay);
        List<String> written = outputs.check(cl, segLabel.segLabels, Math.max(1, boxList.size()));
        Path modelFile = checkpoint.resolve(cl);
        StageTimings clock = new StageTimings();

        // ---- inputs: bad content is a failure (exit 1)
        Optional<MaskLogits> maskLogits = maskInput == null ? Optional.empty()
                : Optional.of(PromptArgs.readMaskInput(maskInput));
        LoadedImage loaded = MedicalImages.read(image);
        for (String w : loaded.warnings()) {
            err.println("medsam segment: warning: " + w);
        }
        int axis = volumeIndex.axis;
        SliceInput input = SliceInput.choose(cl, image, loaded, slice, axis, volumeIndex.time);
        MedicalImage plane = input.plane();
        Optional<SegmentOutputs.DicomTarget> dicom = outputs.dicomTarget(cl, image, loaded, axis, input.slice(),
                segLabel.segLabels);
        List<Prompts> prompts = PromptArgs.prompts(cl, err, plane.width(), plane.height(), boxList, pointList,
                maskLogits);
        err.flush();
        IntensityPreset preset = preset(presetChoice, input.source());
        clock.lap("load");

        StageListener listener = clock.listener(StageListener.Stage::step);
        List<Segmentation> results;
        MedicalImage modelView;
        String architecture;
        Pipeline pipeline;
        SegmentationSession.Builder builder = compute.applyTo(SegmentationSession.builder(modelFile), cl).device(dev)
                .cacheSize(0).stageListener(listener);
        pipelineChoice.ifPresent(builder::pipeline);
        try (SegmentationSession session = build(builder)) {
            architecture = session.architecture().name();
            pipeline = session.pipeline();
            // the preset over the whole volume (its statistics are the volume's, as pre_CT_MR.py's), then the plane
            MedicalImage eightBit = clock.time("preprocess", () -> applyPreset(preset, input.source()));
            modelView = eightBit.rank() <= 2 ? eightBit : eightBit.plane(axis, input.slice(), 0);
            clock.untimed(() -> {
                for (int i = 0; i < timing.warmup; i++) {
                    session.encode(modelView, IntensityPreset.asIs()); // no cache: every run is a full encoder pass
                }
                return null;
            });
            EncodedImage encoded = session.encode(modelView, IntensityPreset.asIs());
            results = session.segment(encoded, prompts, multimask);
        }
        clock.skip();
        outputs.write(results, plane, modelView, dicom, pipeline.modelName());
        clock.lap("write");

        PrintWriter stdout = cl.getOut();
        stdout.println(String.format(Locale.ROOT, "image %dx%d %s%s, preset %s, pipeline %s, %s", plane.width(),
                plane.height(), plane.dataType().numpyName(), plane.components() == 3 ? " RGB" : "", preset.name(),
                pipeline.name().toLowerCase(Locale.ROOT), architecture));
        for (int i = 0; i < results.size(); i++) {
            Segmentation s = results.get(i);
            String what = s.prompts().box().map(x -> "box " + PromptArgs.format(x))
                    .orElse(s.prompts().points().size() + " point(s)");
            int best = s.candidates().indexOf(s.best());
            stdout.println(String.format(Locale.ROOT, "object %d (%s): %d pixels, predicted IoU %.4f%s", i + 1, what,
                    s.binary().count(), s.iou(),
                    multimask ? " (mask " + (best + 1) + " of " + s.candidates().size() + ")" : ""));
        }
        stdout.println("wrote " + String.join(", ", written));
        if (timing.timings) {
            clock.printSeconds(stdout);
        }
        stdout.flush();
        return 0;
    }

    private MedicalImage applyPreset(IntensityPreset preset, MedicalImage source) {
        try {
            return preset.apply(source);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(image + ": the " + preset.name() + " intensity preset does not "
                    + "apply: " + e.getMessage(), e);
        }
    }

    /** Builds the session; a --pipeline that does not fit the checkpoint's model is named in the one-line error. */
    private SegmentationSession build(SegmentationSession.Builder builder) throws IOException {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            if (pipelineName == null) {
                throw e;
            }
            throw new IllegalArgumentException("--pipeline " + pipelineName + ": " + e.getMessage(), e);
        }
    }

    static Pipeline parsePipeline(CommandLine cl, String text) {
        String name = text.trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "medsam" -> Pipeline.MEDSAM;
            case "sam" -> Pipeline.SAM;
            case "litemedsam", "lite_medsam" -> Pipeline.LITE_MEDSAM;
            default -> throw new CommandLine.ParameterException(cl, "--pipeline must be medsam, sam or litemedsam, got '"
                    + text + "'");
        };
    }

    /** What --window / --modality ask for (ct, mr or other); {@link #preset} resolves it for an image. */
    static IntensityChoice presetChoice(CommandLine cl, String window, String modality) {
        return IntensityChoice.parse(cl, window, modality, true);
    }

    static IntensityPreset preset(IntensityChoice choice, MedicalImage image) {
        return choice.presetFor(image);
    }
}
