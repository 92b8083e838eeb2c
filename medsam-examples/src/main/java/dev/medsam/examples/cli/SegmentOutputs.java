package dev.medsam.examples.cli;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.MaskCandidate;
import dev.medsam.core.Segmentation;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.dicom.DicomSegWriter;
import dev.medsam.io.dicom.DicomSeries;
import dev.medsam.io.image2d.Overlay;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The files {@code medsam segment} writes, all together or none ({@link StagedFiles}): the label map in the format
 * its name asks for (a DICOM SEG for {@code .dcm}), logits, probabilities, the embedding and the overlay. Each path
 * is optional (null: not asked for).
 *
 * @param out       label map: uint8, label i for object i, later objects over earlier ones
 * @param logits    low-resolution logits of every candidate, float32 (B, C, 256, 256)
 * @param prob      probabilities of each object's best mask at the image's size, float32 (B, H, W)
 * @param embedding the image embedding, float32 (1, 256, 64, 64)
 * @param overlay   the image as the model saw it with each object's outline in its own colour
 */
record SegmentOutputs(Path out, Path logits, Path prob, Path embedding, Path overlay) {

    /** The most objects a uint8 label map can hold. */
    static final int MAX_LABELS = 255;

    /** Where a .dcm label map goes: the segment names, the DICOM source and the slice of it the plane is. */
    record DicomTarget(List<String> segLabels, DicomSeries source, int slice) {
    }

    /**
     * Usage checks of every output option before anything is read: names and folders, no file named twice, at
     * least one output, the label count of a uint8 map, the --seg-label names.
     *
     * @return "file (option)" for each output, in option order
     */
    List<String> check(CommandLine cl, List<String> segLabels, int objects) {
        if (out != null && objects > MAX_LABELS) {
            throw new CommandLine.ParameterException(cl, "--out holds labels 1.." + MAX_LABELS + " in a uint8 map; "
                    + "got " + objects + " boxes");
        }
        Map<Path, String> outputs = new LinkedHashMap<>();
        OutputFiles.add(cl, outputs, "--out", out, ".png", ".npy", ".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha",
                ".mhd", ".dcm");
        DicomSegOutput.checkLabels(cl, out, segLabels, objects);
        OutputFiles.add(cl, outputs, "--save-logits", logits, ".npy");
        OutputFiles.add(cl, outputs, "--save-prob", prob, ".npy");
        OutputFiles.add(cl, outputs, "--save-embedding", embedding, ".npy");
        OutputFiles.add(cl, outputs, "--overlay", overlay, ".png");
        if (outputs.isEmpty()) {
            throw new CommandLine.ParameterException(cl, "nothing to write: give at least one of --out, --save-logits, "
                    + "--save-prob, --save-embedding, --overlay");
        }
        return List.copyOf(outputs.values());
    }

    /**
     * The DICOM SEG target when {@link #out} is a .dcm file: the source must be DICOM (an IOException otherwise), and
     * a series must be sliced along axis 2, where each frame lies on one DICOM slice (a usage error otherwise).
     */
    Optional<DicomTarget> dicomTarget(CommandLine cl, Path image, LoadedImage loaded, int axis, int slice,
                                      List<String> segLabels) throws IOException {
        if (!DicomSegOutput.wanted(out)) {
            return Optional.empty();
        }
        DicomSeries source = DicomSegOutput.source(image, loaded);
        if (source.size() > 1 && axis != 2) {
            throw new CommandLine.ParameterException(cl, "--out " + out + ": a DICOM SEG frame lies on one DICOM "
                    + "slice; slice the series along --axis 2, not " + axis);
        }
        return Optional.of(new DicomTarget(List.copyOf(segLabels), source, slice));
    }

    /**
     * Writes every requested file, or none if one fails.
     *
     * @param results   one segmentation per object, in label order
     * @param plane     the 2D plane segmented (its geometry goes into the label map)
     * @param modelView the plane after the intensity preset (the overlay's background)
     * @param dicom     the SEG target when {@link #out} is a .dcm file
     * @param algorithm the model's name for the SEG's algorithm identification (MedSAM, LiteMedSAM, SAM)
     */
    void write(List<Segmentation> results, MedicalImage plane, MedicalImage modelView, Optional<DicomTarget> dicom,
               String algorithm) throws IOException {
        List<BinaryMask> masks = results.stream().map(Segmentation::binary).toList();
        StagedFiles staged = new StagedFiles();
        if (out != null && dicom.isPresent()) {
            DicomTarget d = dicom.get();
            MedicalImage labels = MedicalImages.labelMap(masks, plane);
            DicomSegWriter writer = DicomSegOutput.writer(algorithm, d.segLabels());
            staged.add(out, f -> DicomSegOutput.writePlane(writer, f, d.source(),
                    d.source().size() > 1 ? d.slice() : 0, labels));
        } else if (out != null && out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            staged.add(out, f -> MedicalImages.writeLabels(masks, plane, f)); // visible grey levels
        } else if (out != null) {
            // a detached header (.nhdr, .mhd) brings its data file, staged together with the other outputs
            MedicalImages.writers(MedicalImages.labelMap(masks, plane), out).forEach(staged::add);
        }
        if (logits != null) {
            staged.add(logits, f -> Npy.write(f, logits(results)));
        }
        if (prob != null) {
            staged.add(prob, f -> Npy.write(f, probabilities(results, plane.width(), plane.height())));
        }
        if (embedding != null) {
            staged.add(embedding, f -> Npy.write(f, NpyArray.of(results.get(0).embedding().tensor())));
        }
        if (overlay != null) {
            staged.add(overlay, f -> MedicalImages.write(overlay(modelView, masks), f));
        }
        staged.commit();
    }

    /** The overlay: outlines only, one palette colour per object, width growing with the image. */
    static MedicalImage overlay(MedicalImage modelView, List<BinaryMask> masks) {
        return Overlay.builder(modelView).fillOpacity(0).masks(masks).toImage();
    }

    private static NpyArray logits(List<Segmentation> results) {
        int b = results.size();
        int c = results.get(0).candidates().size();
        int w = results.get(0).lowResLogits().width();
        int h = results.get(0).lowResLogits().height();
        int plane = w * h;
        float[] v = new float[Math.multiplyExact(b * c, plane)];
        for (int i = 0; i < b; i++) {
            List<MaskCandidate> candidates = results.get(i).candidates();
            for (int k = 0; k < c; k++) {
                candidates.get(k).lowResLogits().buffer().get(v, (i * c + k) * plane, plane);
            }
        }
        return NpyArray.ofFloats(v, b, c, h, w);
    }

    private static NpyArray probabilities(List<Segmentation> results, int w, int h) {
        int b = results.size();
        float[] v = new float[Math.multiplyExact(Math.multiplyExact(b, w), h)];
        for (int i = 0; i < b; i++) {
            results.get(i).probability().buffer().get(v, i * w * h, w * h);
        }
        return NpyArray.ofFloats(v, b, h, w);
    }
}
