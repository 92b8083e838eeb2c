package dev.medsam.examples.cli;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.MaskLogits;
import dev.medsam.core.MaskPrompt;
import dev.medsam.core.Point;
import dev.medsam.core.PointLabel;
import dev.medsam.core.Prompt;
import dev.medsam.core.Prompts;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
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
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.dicom.DicomSegWriter;
import dev.medsam.io.dicom.DicomSeries;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.NpyDtype;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code medsam segment}: segments objects in one 2D image (or one slice of a volume) from boxes and points, as
 * MedSAM_Inference.py does, and writes the label map, logits, probabilities, embedding or an overlay.
 *
 * <p>The stages run here one by one (rather than through {@link dev.medsam.core.SegmentationSession}) so that
 * {@code --timings} can report each: load, preprocess, encode, decode, postprocess.
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
        })
public final class SegmentCommand implements Callable<Integer> {

    /** The most objects a uint8 label map can hold. */
    static final int MAX_LABELS = 255;

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

    @Option(names = "--axis", paramLabel = "N", defaultValue = "2",
            description = "Array axis --slice counts along: 0, 1 or 2 (default: ${DEFAULT-VALUE}, the third axis).")
    int axis;

    @Option(names = "--time", paramLabel = "T", defaultValue = "0",
            description = "Time point of a 4D series (default: ${DEFAULT-VALUE}).")
    int time;

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

    @Option(names = "--window", paramLabel = "NAME|L,W",
            description = "CT window: soft-tissue, lung, brain, mediastinum, bone, or level,width in HU.")
    String window;

    @Option(names = "--modality", paramLabel = "ct|mr|other",
            description = "ct: CT window (soft-tissue unless --window); mr: clip to the 0.5/99.5 percentiles of the "
                    + "positive values; other: 8-bit data as is, anything else by percentiles. Default: from the file "
                    + "(CT gets soft-tissue; 8-bit data is used as is; other data gets the percentiles). A slice of a "
                    + "volume takes its statistics from the whole volume, as MedSAM's pre_CT_MR.py does.")
    String modality;

    @Option(names = "--pipeline", paramLabel = "medsam|sam", defaultValue = "medsam",
            description = "Pre- and postprocessing: medsam (as MedSAM's inference script, for MedSAM checkpoints) or sam "
                    + "(Segment Anything's predictor, for plain SAM checkpoints). Default: ${DEFAULT-VALUE}.")
    String pipelineName;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE",
            description = "Label map (uint8, the image's size; label i for box i, later boxes over earlier ones; 1 "
                    + "for a prompt without boxes), in the format the file's extension names: NumPy npy of shape (H, W); "
                    + "NIfTI nii or nii.gz, NRRD nrrd, seg.nrrd or nhdr, MetaImage mha or mhd, all with the source's "
                    + "geometry; PNG, where label i of N is the grey level round(255 i / N), so that one object is "
                    + "0/255; DICOM dcm, a DICOM SEG referencing the DICOM source image (one segment per object).")
    Path out;

    @Option(names = "--seg-label", paramLabel = "NAME",
            description = "Name of object 1, 2, ... in a .dcm --out (repeat in box order); names of common organs "
                    + "(liver, kidney, spleen, ...) get their SNOMED CT codes, others the category \"Tissue\". "
                    + "Default: Segment N.")
    List<String> segLabels = new ArrayList<>();

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

    @Option(names = "--timings", description = "Print the seconds each stage took (load, preprocess, encode, "
            + "decode, postprocess, write).")
    boolean timings;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0",
            description = "Run the image encoder N extra times first, so that the encode time is a warm one.")
    int warmup;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        PrintWriter err = cl.getErr();
        PrintWriter stdout = cl.getOut();

        // ---- option values: usage errors (exit 2) before anything is read
        List<Box> boxList = new ArrayList<>();
        for (String b : boxes) {
            boxList.add(parseBox(cl, b));
        }
        List<Point> pointList = new ArrayList<>();
        for (String p : points) {
            pointList.add(parsePoint(cl, p));
        }
        if (boxList.isEmpty() && pointList.isEmpty() && maskInput == null) {
            throw new CommandLine.ParameterException(cl, "give at least one --box or --point (or a --mask-input)");
        }
        compute.check(cl);
        CliValues.requireNonNegative(cl, "--warmup", warmup);
        CliValues.requireNonNegative(cl, "--time", time);
        if (axis < 0 || axis > 2) {
            throw new CommandLine.ParameterException(cl, "--axis must be 0, 1 or 2, got " + axis);
        }
        if (slice != null && slice < 0) {
            throw new CommandLine.ParameterException(cl, "--slice must be 0 or more, got " + slice);
        }
        Device dev = device.value(cl);
        Pipeline pipeline = parsePipeline(cl, pipelineName);
        IntensityChoice presetChoice = presetChoice(cl, window, modality);
        int objects = Math.max(1, boxList.size());
        if (out != null && objects > MAX_LABELS) {
            throw new CommandLine.ParameterException(cl, "--out holds labels 1.." + MAX_LABELS + " in a uint8 map; "
                    + "got " + objects + " boxes");
        }
        Map<Path, String> outputs = new LinkedHashMap<>();
        addOutput(cl, outputs, "--out", out, ".png", ".npy", ".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd",
                ".dcm");
        boolean dicomSeg = DicomSegOutput.wanted(out);
        DicomSegOutput.checkLabels(cl, out, segLabels, objects);
        addOutput(cl, outputs, "--save-logits", saveLogits, ".npy");
        addOutput(cl, outputs, "--save-prob", saveProb, ".npy");
        addOutput(cl, outputs, "--save-embedding", saveEmbedding, ".npy");
        addOutput(cl, outputs, "--overlay", overlay, ".png");
        if (outputs.isEmpty()) {
            throw new CommandLine.ParameterException(cl, "nothing to write: give at least one of --out, --save-logits, "
                    + "--save-prob, --save-embedding, --overlay");
        }
        Path modelFile = checkpoint.resolve(cl);
        StageTimings clock = new StageTimings();

        // ---- inputs: bad content is a failure (exit 1)
        Optional<MaskLogits> maskLogits = maskInput == null ? Optional.empty() : Optional.of(readMaskInput(maskInput));
        LoadedImage loaded = MedicalImages.read(image);
        for (String w : loaded.warnings()) {
            err.println("medsam segment: warning: " + w);
        }
        MedicalImage source = chooseVolume(cl, loaded);
        requireFinite(image, source);
        MedicalImage rawPlane = source.rank() <= 2 ? source : source.plane(axis, sliceIndex(), 0);
        DicomSeries segSource = null;
        if (dicomSeg) {
            segSource = DicomSegOutput.source(image, loaded);
            if (segSource.size() > 1 && axis != 2) {
                throw new CommandLine.ParameterException(cl, "--out " + out + ": a DICOM SEG frame lies on one DICOM "
                        + "slice; slice the series along --axis 2, not " + axis);
            }
        }
        ModelFrame frame = ModelFrame.of(pipeline, rawPlane.width(), rawPlane.height());
        List<Prompts> prompts = prompts(cl, err, frame, boxList, pointList, maskLogits);
        err.flush();

        SamCheckpoint weights = SamCheckpoint.load(modelFile);
        BackendOptions options = compute.backendOptions(cl).device(dev).build();
        MaskPrediction prediction;
        ImageEmbedding embedding;
        MedicalImage modelView;
        IntensityPreset preset = preset(presetChoice, source);
        try (Backend backend = Backends.open(Optional.empty(), options);
             SamModel model = backend.load(weights.architecture(), weights.weights())) {
            clock.lap("load");

            // preset over the whole volume (its statistics are the volume's, as pre_CT_MR.py's), then the plane
            MedicalImage eightBit;
            try {
                eightBit = preset.apply(source);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(image + ": the " + preset.name() + " intensity preset does not "
                        + "apply: " + e.getMessage(), e);
            }
            modelView = eightBit.rank() <= 2 ? eightBit : eightBit.plane(axis, sliceIndex(), 0);
            PreparedImage prepared = PreparedImage.of(pipeline, modelView);
            clock.lap("preprocess");

            for (int i = 0; i < warmup; i++) {
                model.imageEncoder().encode(prepared.tensor()); // no cache here: every run is a full encoder pass
            }
            clock.skip();
            embedding = model.imageEncoder().encode(prepared.tensor());
            clock.lap("encode");

            List<ModelPrompt> batch = new ArrayList<>(prompts.size());
            for (Prompts p : prompts) {
                batch.add(frame.toModel(p));
            }
            prediction = model.predict(embedding, batch, multimask);
            clock.lap("decode");
        }

        int b = prediction.batchSize();
        int w = frame.width();
        int h = frame.height();
        List<BinaryMask> masks = new ArrayList<>(b);
        float[] probabilities = saveProb == null ? null : new float[Math.multiplyExact(Math.multiplyExact(b, w), h)];
        int[] best = new int[b];
        for (int i = 0; i < b; i++) {
            best[i] = prediction.bestMask(i);
            OriginalSizeMasks m = frame.postprocess(prediction, i, best[i]);
            masks.add(m.binary());
            if (probabilities != null) {
                m.probability().buffer().get(probabilities, i * w * h, w * h);
            }
        }
        MedicalImage overlayImage = overlay == null ? null : Overlay.draw(modelView, masks);
        clock.lap("postprocess");

        StagedFiles staged = new StagedFiles();
        if (out != null && dicomSeg) {
            MedicalImage labels = MedicalImages.labelMap(masks, rawPlane);
            DicomSegWriter segWriter = DicomSegOutput.writer(pipeline == Pipeline.SAM ? "SAM" : "MedSAM", segLabels);
            DicomSeries dicomSource = segSource;
            staged.add(out, f -> DicomSegOutput.writePlane(segWriter, f, dicomSource,
                    dicomSource.size() > 1 ? sliceIndex() : 0, labels));
        } else if (out != null && out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            staged.add(out, f -> MedicalImages.writeLabels(masks, rawPlane, f)); // visible grey levels
        } else if (out != null) {
            // a detached header (.nhdr, .mhd) brings its data file, staged together with the other outputs
            MedicalImages.writers(MedicalImages.labelMap(masks, rawPlane), out).forEach(staged::add);
        }
        if (saveLogits != null) {
            staged.add(saveLogits, f -> Npy.write(f, NpyArray.of(prediction.logits())));
        }
        if (probabilities != null) {
            staged.add(saveProb, f -> Npy.write(f, NpyArray.ofFloats(probabilities, b, h, w)));
        }
        if (saveEmbedding != null) {
            staged.add(saveEmbedding, f -> Npy.write(f, NpyArray.of(embedding.tensor())));
        }
        if (overlayImage != null) {
            staged.add(overlay, f -> MedicalImages.write(overlayImage, f));
        }
        staged.commit();
        clock.lap("write");

        stdout.println(String.format(Locale.ROOT, "image %dx%d %s%s, preset %s, pipeline %s, %s", w, h,
                rawPlane.dataType().numpyName(), rawPlane.components() == 3 ? " RGB" : "", preset.name(),
                pipeline.name().toLowerCase(Locale.ROOT), weights.architecture().name()));
        for (int i = 0; i < b; i++) {
            Prompts p = prompts.get(i);
            String what = p.box().map(x -> "box " + format(x)).orElse(p.points().size() + " point(s)");
            stdout.println(String.format(Locale.ROOT, "object %d (%s): %d pixels, predicted IoU %.4f%s", i + 1, what,
                    masks.get(i).count(), prediction.iou(i, best[i]),
                    multimask ? " (mask " + (best[i] + 1) + " of " + prediction.masksPerPrompt() + ")" : ""));
        }
        stdout.println("wrote " + String.join(", ", outputs.values()));
        if (timings) {
            clock.printSeconds(stdout);
        }
        stdout.flush();
        return 0;
    }

    private int sliceIndex() {
        return slice == null ? 0 : slice;
    }

    // ------------------------------------------------------------------------------------------------ options

    static Box parseBox(CommandLine cl, String text) {
        double[] v = CliValues.numbers(cl, "--box", text, 4, "X0,Y0,X1,Y1 such as 95,255,190,350");
        try {
            return new Box(v[0], v[1], v[2], v[3]);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--box " + text + ": " + e.getMessage());
        }
    }

    static Point parsePoint(CommandLine cl, String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 3) {
            throw new CommandLine.ParameterException(cl, "--point " + text + ": expected X,Y,LABEL such as 142,302,1 "
                    + "(label 1 = object, 0 = background)");
        }
        double[] xy = CliValues.numbers(cl, "--point", parts[0] + "," + parts[1], 2, "X,Y,LABEL such as 142,302,1");
        String label = parts[2].trim();
        if (!label.equals("0") && !label.equals("1")) {
            throw new CommandLine.ParameterException(cl, "--point " + text + ": the label must be 1 (object) or 0 "
                    + "(background), got '" + label + "'");
        }
        return new Point(xy[0], xy[1], PointLabel.fromSamLabel(Integer.parseInt(label)));
    }

    static Pipeline parsePipeline(CommandLine cl, String text) {
        try {
            return Pipeline.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--pipeline must be medsam or sam, got '" + text + "'");
        }
    }

    /** What --window / --modality ask for (ct, mr or other); {@link #preset} resolves it for an image. */
    static IntensityChoice presetChoice(CommandLine cl, String window, String modality) {
        return IntensityChoice.parse(cl, window, modality, true);
    }

    static IntensityPreset preset(IntensityChoice choice, MedicalImage image) {
        return choice.presetFor(image);
    }

    /** Checks an output's name and folder (usage errors) and records it; two options may not name one file. */
    static void addOutput(CommandLine cl, Map<Path, String> outputs, String option, Path file, String... extensions) {
        if (file == null) {
            return;
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Arrays.stream(extensions).noneMatch(name::endsWith)) {
            throw new CommandLine.ParameterException(cl, option + " " + file + ": the name must end in "
                    + String.join(", ", extensions));
        }
        CliValues.requireWritableName(cl, option, file);
        Path key = file.toAbsolutePath().normalize();
        String previous = outputs.get(key);
        if (previous != null) {
            throw new CommandLine.ParameterException(cl, option + " " + file + " names the same file as " + previous);
        }
        outputs.put(key, file + " (" + option + ")");
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /** Reads --mask-input: float32 logits of shape (1, 1, 256, 256) or (256, 256), all finite. */
    static MaskLogits readMaskInput(Path file) throws IOException {
        NpyArray a = Npy.read(file);
        int[] s = a.shape();
        boolean shapeOk = Arrays.equals(s, new int[] {1, 1, 256, 256}) || Arrays.equals(s, new int[] {256, 256});
        if (a.dtype() != NpyDtype.FLOAT32 || !shapeOk) {
            throw new IllegalArgumentException("--mask-input " + file + ": expected float32 logits of shape "
                    + "(1, 1, 256, 256) or (256, 256) as --save-logits writes them, got " + a.dtype().numpyName()
                    + " " + CliValues.shapeText(s));
        }
        float[] v = a.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException("--mask-input " + file + ": value " + v[i] + " at (row "
                        + (i / 256) + ", column " + (i % 256) + ") is not finite");
            }
        }
        return MaskLogits.of(256, 256, v);
    }

    /** The 2D image or the 3D volume (at --time) to take the slice from; rejects shapes that are not images. */
    private MedicalImage chooseVolume(CommandLine cl, LoadedImage loaded) {
        MedicalImage img = loaded.image();
        int[] dims = img.dims();
        for (int a = 4; a < dims.length; a++) {
            if (dims[a] != 1) {
                throw new IllegalArgumentException(image + ": has dims " + Arrays.toString(dims)
                        + "; medsam segment takes 2D images, 3D volumes and 4D series");
            }
        }
        if (time >= img.dim(3)) {
            throw new CommandLine.ParameterException(cl, "--time " + time + " is outside 0.." + (img.dim(3) - 1)
                    + " for " + image);
        }
        if (loaded.format() == ImageFormat.NPY && img.rank() == 3 && img.dim(0) != 3 && img.dim(0) <= 4
                && slice == null) {
            // (H, W, C) with C = 1, 2 or 4 (an RGB array is read as an RGB image already)
            throw new IllegalArgumentException(image + ": an NPY array of shape (" + img.dim(2) + ", " + img.dim(1)
                    + ", " + img.dim(0) + ") has " + img.dim(0) + " channel(s); medsam segment takes (H, W) grey or "
                    + "(H, W, 3) RGB arrays (give --slice to read it as a volume of " + img.dim(2) + " slices)");
        }
        if (img.components() != 1 && img.components() != 3) {
            throw new IllegalArgumentException(image + ": has " + img.components() + " channels per pixel; "
                    + "medsam segment takes grey (1) or RGB (3) images");
        }
        MedicalImage volume = img.volume(time);
        int slices = volume.dim(axis);
        boolean isVolume = volume.rank() >= 3 && volume.dim(2) > 1;
        if (!isVolume) {
            if (slice != null && (axis != 2 || slice != 0)) {
                throw new CommandLine.ParameterException(cl, "--slice " + slice + " --axis " + axis + ": " + image
                        + " is a 2D image (" + volume.width() + "x" + volume.height() + "); leave out --slice");
            }
            return volume.rank() <= 2 ? volume : volume.plane(2, 0, 0);
        }
        if (slice == null) {
            throw new CommandLine.ParameterException(cl, image + " is a volume of dims "
                    + Arrays.toString(volume.dims()) + "; choose a slice with --slice K (0.." + (slices - 1)
                    + " along --axis " + axis + ")");
        }
        if (slice >= slices) {
            throw new CommandLine.ParameterException(cl, "--slice " + slice + " is outside 0.." + (slices - 1)
                    + " along axis " + axis + " of " + image + " (dims " + Arrays.toString(volume.dims()) + ")");
        }
        return volume;
    }

    /** Rejects NaN and infinite values, naming the first one's position. */
    static void requireFinite(Path file, MedicalImage img) {
        if (!img.dataType().isFloatingPoint()) {
            return;
        }
        long n = img.valueCount();
        int c = img.components();
        for (long i = 0; i < n; i++) {
            double v = img.get(i);
            if (!Double.isFinite(v)) {
                long voxel = i / c;
                long x = voxel % img.dim(0);
                long y = voxel / img.dim(0) % img.dim(1);
                long z = voxel / ((long) img.dim(0) * img.dim(1));
                String where = "(x " + x + ", y " + y + (img.rank() > 2 ? ", z " + z : "")
                        + (c > 1 ? ", channel " + (i % c) : "") + ")";
                throw new IllegalArgumentException(file + ": the value at " + where + " is " + v
                        + "; images must hold finite numbers");
            }
        }
    }

    /**
     * One prompt per box (each with every point and the mask input), or a single prompt without boxes. Boxes
     * and points reaching outside the image are clipped with a warning; a box wholly outside is a usage error.
     */
    static List<Prompts> prompts(CommandLine cl, PrintWriter err, ModelFrame frame, List<Box> boxes,
                                 List<Point> points, Optional<MaskLogits> mask) {
        int w = frame.width();
        int h = frame.height();
        List<Prompt> shared = new ArrayList<>();
        for (Point p : points) {
            double x = Math.min(Math.max(p.x(), 0), w);
            double y = Math.min(Math.max(p.y(), 0), h);
            if (x != p.x() || y != p.y()) {
                err.println(String.format(Locale.ROOT, "medsam segment: warning: point %s,%s lies outside the %dx%d "
                        + "image; clipped to %s,%s", num(p.x()), num(p.y()), w, h, num(x), num(y)));
            }
            shared.add(new Point(x, y, p.label()));
        }
        mask.ifPresent(m -> shared.add(new MaskPrompt(m)));
        List<Prompts> out = new ArrayList<>();
        if (boxes.isEmpty()) {
            out.add(Prompts.of(shared));
            return out;
        }
        for (Box b : boxes) {
            double x0 = Math.min(Math.max(b.x0(), 0), w);
            double y0 = Math.min(Math.max(b.y0(), 0), h);
            double x1 = Math.min(Math.max(b.x1(), 0), w);
            double y1 = Math.min(Math.max(b.y1(), 0), h);
            if (!(x1 > x0) || !(y1 > y0)) {
                throw new CommandLine.ParameterException(cl, "--box " + format(b) + " lies outside the " + w + "x"
                        + h + " image");
            }
            Box clipped = b;
            if (x0 != b.x0() || y0 != b.y0() || x1 != b.x1() || y1 != b.y1()) {
                clipped = new Box(x0, y0, x1, y1);
                err.println("medsam segment: warning: box " + format(b) + " reaches outside the " + w + "x" + h
                        + " image; clipped to " + format(clipped));
            }
            List<Prompt> parts = new ArrayList<>(shared.size() + 1);
            parts.add(clipped);
            parts.addAll(shared);
            out.add(Prompts.of(parts));
        }
        return out;
    }

    static String format(Box b) {
        return num(b.x0()) + "," + num(b.y0()) + "," + num(b.x1()) + "," + num(b.y1());
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    // ------------------------------------------------------------------------------------------------ outputs


    /**
     * The overlay picture: the 8-bit image the model saw, as RGB, with each object's mask outline drawn in its own
     * colour (later objects over earlier ones). Outlines are mask pixels within {@code t} pixels of a non-mask
     * pixel or the border, {@code t} growing with the image (1 px up to 384 px, 2 px up to 768 px, ...) so that
     * they stay visible on large images.
     */
    static final class Overlay {

        /** Distinct, saturated colours (then golden-angle hues for more objects). */
        private static final int[] PALETTE = {
            0xFF3030, 0x30E030, 0x3080FF, 0xFFE020, 0xFF40FF, 0x20E0E0, 0xFF9020, 0xA060FF, 0x90FF90, 0xFF8080};

        private Overlay() {
        }

        static MedicalImage draw(MedicalImage eightBit, List<BinaryMask> masks) {
            int w = eightBit.width();
            int h = eightBit.height();
            int c = eightBit.components();
            ByteBuffer src = eightBit.data();
            byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
            for (int p = 0; p < w * h; p++) {
                for (int k = 0; k < 3; k++) {
                    rgb[3 * p + k] = src.get(c == 1 ? p : c * p + k);
                }
            }
            int thickness = Math.max(1, (int) Math.round(Math.max(w, h) / 512.0));
            for (int i = 0; i < masks.size(); i++) {
                int colour = colour(i);
                ByteBuffer m = masks.get(i).buffer();
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        if (m.get(y * w + x) != 0 && nearEdge(m, w, h, x, y, thickness)) {
                            int p = 3 * (y * w + x);
                            rgb[p] = (byte) (colour >> 16);
                            rgb[p + 1] = (byte) (colour >> 8);
                            rgb[p + 2] = (byte) colour;
                        }
                    }
                }
            }
            return MedicalImage.builder(DataType.UINT8, w, h).components(3).data(ByteBuffer.wrap(rgb)).build();
        }

        /** Colour of object {@code i} (0-based), as 0xRRGGBB. */
        static int colour(int i) {
            if (i < PALETTE.length) {
                return PALETTE[i];
            }
            // HSV with value 1 and saturation 0.85, hue stepping by the golden ratio
            double hue = (i * 0.6180339887498949) % 1.0 * 6;
            int sector = (int) hue;
            double f = hue - sector;
            double s = 0.85;
            double[] rgb = switch (sector) {
                case 0 -> new double[] {1, 1 - s * (1 - f), 1 - s};
                case 1 -> new double[] {1 - s * f, 1, 1 - s};
                case 2 -> new double[] {1 - s, 1, 1 - s * (1 - f)};
                case 3 -> new double[] {1 - s, 1 - s * f, 1};
                case 4 -> new double[] {1 - s * (1 - f), 1 - s, 1};
                default -> new double[] {1, 1 - s, 1 - s * f};
            };
            return (int) Math.round(rgb[0] * 255) << 16 | (int) Math.round(rgb[1] * 255) << 8
                    | (int) Math.round(rgb[2] * 255);
        }

        private static boolean nearEdge(ByteBuffer m, int w, int h, int x, int y, int t) {
            for (int dy = -t; dy <= t; dy++) {
                for (int dx = -t; dx <= t; dx++) {
                    int xx = x + dx;
                    int yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h || m.get(yy * w + xx) == 0) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /**
     * Several output files that appear together or not at all ({@link AtomicFiles#writeAll}): each is written to
     * a hidden file beside its target with the same extension, so format-by-name writers still work, and only when
     * every one is written are they moved into place. A failure deletes the written ones and leaves the targets
     * untouched.
     */
    static final class StagedFiles {

        private final Map<Path, AtomicFiles.IOConsumer<Path>> files = new LinkedHashMap<>();

        void add(Path target, AtomicFiles.IOConsumer<Path> writer) {
            files.put(target, writer);
        }

        /** Writes every file, then moves them into place. */
        void commit() throws IOException {
            AtomicFiles.writeAll(files);
        }
    }
}
