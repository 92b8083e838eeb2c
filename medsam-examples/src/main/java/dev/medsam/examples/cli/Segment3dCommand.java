package dev.medsam.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.medsam.core.Box;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.metrics.LabelBurden;
import dev.medsam.core.metrics.TumourBurden;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.volume.CancellationToken;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.core.volume.VolumePrompt;
import dev.medsam.core.volume.VolumeSegmentation;
import dev.medsam.core.volume.VolumeSegmenter;
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.dicom.DicomSeries;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code medsam segment3d}: segments objects in a CT/MR volume slice by slice from 3D boxes or key-slice boxes
 * ({@link VolumeSegmenter}), writes the label volume on the source's grid and, optionally, a tumour-burden report.
 */
@Command(name = "segment3d",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Segment objects in a 3D volume (NIfTI, DICOM series folder, MedSAM npz, ...) slice by slice, as MedSAM's "
                    + "3D protocol does: each object starts on the middle slice of its box and propagates up and down, "
                    + "every slice prompted with the previous slice's mask box.",
            "Objects: each --box3d is one object (labels 1, 2, ... in the order given); --key-box values form further "
                    + "objects, one per group number, labelled after the --box3d objects in ascending group order. "
                    + "With neither, the boxes of a MedSAM npz image (its 'boxes' array) are used.",
            "Boxes are in voxel indices: x along columns, y along rows, z the slice index along --axis; z1 is inclusive.",
            "The intensity preset (--window, --modality) is applied to the whole volume. Default: from the file (CT "
                    + "gets soft-tissue; 8-bit data is used as is; other data gets the percentiles).",
        })
public final class Segment3dCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CheckpointOption checkpoint;

    @Option(names = {"-i", "--image"}, required = true, paramLabel = "PATH",
            description = "The volume: a NIfTI file, a DICOM series folder, a MedSAM npz (imgs (D, H, W)), ...")
    Path image;

    @Option(names = "--box3d", paramLabel = "X0,Y0,Z0,X1,Y1,Z1",
            description = "A 3D box in voxel indices (z1 inclusive); repeat for several objects.")
    List<String> boxes3d = new ArrayList<>();

    @Option(names = "--key-box", paramLabel = "[G@]Z:X0,Y0,X1,Y1",
            description = "A box on key slice Z for object group G (default 1); an object covers its lowest to its "
                    + "highest key slice and starts on the one with the largest box. Repeat for more slices or groups.")
    List<String> keyBoxes = new ArrayList<>();

    @Mixin
    WindowOption window;

    @Mixin
    ModalityOption modality;

    @Mixin
    VolumeIndexOptions volumeIndex;

    @Mixin
    MarginOption margin;

    @Option(names = "--extend", paramLabel = "N", defaultValue = "0",
            description = "Continue up to N slices beyond each end of an object's range while its mask is non-empty "
                    + "(default: ${DEFAULT-VALUE}, stop at the range).")
    int extend;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE",
            description = "Output labels, in the format the file's extension names: NIfTI nii or nii.gz, NRRD nrrd or "
                    + "nhdr, a 3D Slicer segmentation seg.nrrd, MetaImage mha or mhd (all with the source's geometry), "
                    + "NumPy npz with key 'segs' of shape (D, H, W), or DICOM dcm, a DICOM SEG referencing the source "
                    + "DICOM series (one segment per object).")
    Path out;

    @Mixin
    SegLabelOption segLabel;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a tumour-burden report (JSON) here.")
    Path report;

    @Mixin
    ComputeOptions compute;

    @Mixin
    QuietOption quiet;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        checkOutputName(cl, out);
        if (report != null) {
            CliValues.requireWritableName(cl, "--report", report);
        }
        Optional<IntensityPreset> chosen = modality.choice(cl, window).preset();
        PropagationOptions options = propagationOptions(cl);
        compute.check(cl);
        Path model = checkpoint.resolve(cl);

        LoadedImage loaded = MedicalImages.read(image);
        MedicalImage volume = loaded.image();
        List<VolumePrompt> prompts = prompts(cl, loaded);
        DicomSegOutput.checkLabels(cl, out, segLabel.segLabels, prompts.size());
        DicomSeries segSource = DicomSegOutput.wanted(out) ? DicomSegOutput.source(image, loaded) : null;
        if (chosen.isPresent()) {
            options = options.toBuilder().preset(chosen.get()).build();
        }
        PrintWriter err = cl.getErr();
        for (String w : loaded.warnings()) {
            err.println("medsam segment3d: warning: " + w);
        }
        err.flush();

        VolumeSegmentation result;
        String algorithm;
        try (SegmentationSession session = compute.applyTo(SegmentationSession.builder(model), cl).build();
             Progress.Deferred bar = Progress.deferred(err, "segment3d", Progress.Unit.ITEMS, quiet.quiet)) {
            algorithm = session.pipeline().modelName();
            result = VolumeSegmenter.of(session).segment(volume, prompts, options,
                    p -> bar.update(p.slicesDone(), p.slicesTotal(), ""), new CancellationToken());
        }
        if (segSource != null) {
            DicomSegOutput.writer(algorithm, segLabel.segLabels).write(out, segSource, result.labels());
        } else {
            writeLabels(result.labels(), out);
        }
        TumourBurden burden = TumourBurden.of(result.labelVolume());
        if (report != null) {
            byte[] json = BurdenReport.json(burden, prompts.size()).getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(report, o -> o.write(json));
        }
        PrintWriter stdout = cl.getOut();
        for (int label = 1; label <= prompts.size(); label++) {
            Optional<LabelBurden> b = burden.label(label);
            stdout.println(String.format(Locale.ROOT, "label %d: %d voxels, %.3f mL", label,
                    b.map(LabelBurden::voxels).orElse(0L), b.map(LabelBurden::volumeMl).orElse(0.0)));
        }
        stdout.println("wrote " + out + (report == null ? "" : " and " + report) + String.format(Locale.ROOT,
                " (%d slices segmented in %.1f s, preset %s)", result.sliceVisits(),
                result.elapsed().toMillis() / 1000.0, result.preset().name()));
        stdout.flush();
        return 0;
    }

    private PropagationOptions propagationOptions(CommandLine cl) {
        PropagationOptions.Builder b = PropagationOptions.builder();
        try {
            b.axis(volumeIndex.axis).time(volumeIndex.time).extendUntilEmpty(extend);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        return margin.applyTo(b, cl).build();
    }

    private List<VolumePrompt> prompts(CommandLine cl, LoadedImage loaded) throws IOException {
        List<VolumePrompt> prompts = new ArrayList<>();
        for (String s : boxes3d) {
            prompts.add(parseBox3d(cl, s));
        }
        Map<Integer, Map<Integer, Box>> groups = new TreeMap<>();
        for (String s : keyBoxes) {
            parseKeyBox(cl, s, groups);
        }
        for (Map<Integer, Box> g : groups.values()) {
            prompts.add(VolumePrompt.ofKeyBoxes(g));
        }
        if (prompts.isEmpty()) {
            boolean hasBoxes = loaded.format() == ImageFormat.NPZ
                    && Npz.members(image).stream().anyMatch(m -> m.key().equals("boxes"));
            if (hasBoxes) {
                NpyArray boxes = Npz.read(image, "boxes"); // only this member: imgs was read already
                if (boxes.size() > 0 && boxes.rank() == 2 && boxes.dim(1) == 6) {
                    double[] rows = boxes.toDoubleArray();
                    for (int i = 0; i < rows.length / 6; i++) {
                        try {
                            prompts.add(VolumePrompt.ofBox3d(Arrays.copyOfRange(rows, 6 * i, 6 * i + 6)));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException(image + ": 'boxes' row " + i + ": " + e.getMessage(), e);
                        }
                    }
                }
            }
            if (prompts.isEmpty()) {
                throw new CommandLine.ParameterException(cl,
                        "give at least one --box3d or --key-box (or an npz image with (N, 6) 'boxes')");
            }
        }
        return prompts;
    }

    static VolumePrompt parseBox3d(CommandLine cl, String text) {
        double[] v = CliValues.numbers(cl, "--box3d", text, 6, "6 comma-separated numbers");
        try {
            return VolumePrompt.ofBox3d(v);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--box3d " + text + ": " + e.getMessage());
        }
    }

    private static void parseKeyBox(CommandLine cl, String text, Map<Integer, Map<Integer, Box>> groups) {
        String rest = text.trim();
        int group = 1;
        int at = rest.indexOf('@');
        try {
            if (at >= 0) {
                group = Integer.parseInt(rest.substring(0, at).trim());
                rest = rest.substring(at + 1);
            }
            int colon = rest.indexOf(':');
            if (colon < 0) {
                throw new NumberFormatException("no ':'");
            }
            int z = Integer.parseInt(rest.substring(0, colon).trim());
            double[] b = CliValues.numbers(cl, "--key-box", rest.substring(colon + 1), 4, "4 comma-separated numbers");
            if (group < 1 || z < 0) {
                throw new CommandLine.ParameterException(cl, "--key-box " + text
                        + ": the group must be 1 or more and the slice 0 or more");
            }
            Box box = new Box(b[0], b[1], b[2], b[3]);
            if (groups.computeIfAbsent(group, g -> new TreeMap<>()).put(z, box) != null) {
                throw new CommandLine.ParameterException(cl, "--key-box " + text + ": group " + group
                        + " already has a box on slice " + z);
            }
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cl, "--key-box " + text + ": expected [G@]Z:X0,Y0,X1,Y1 such as "
                    + "40:95,255,190,350 or 2@40:95,255,190,350");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--key-box " + text + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ outputs

    private static void checkOutputName(CommandLine cl, Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!(name.endsWith(".nii") || name.endsWith(".nii.gz") || name.endsWith(".npz") || name.endsWith(".nrrd")
                || name.endsWith(".nhdr") || name.endsWith(".mha") || name.endsWith(".mhd") || name.endsWith(".dcm"))) {
            throw new CommandLine.ParameterException(cl, "--out " + file + ": use a .nii.gz, .nii, .npz, .nrrd, "
                    + ".seg.nrrd, .nhdr, .mha, .mhd or .dcm file name");
        }
        CliValues.requireWritableName(cl, "--out", file);
    }

    private static void writeLabels(MedicalImage labels, Path file) throws IOException {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz")) {
            MedSamNpz.writeSegs(file, labels);
        } else {
            MedicalImages.write(labels, file);
        }
    }
}
