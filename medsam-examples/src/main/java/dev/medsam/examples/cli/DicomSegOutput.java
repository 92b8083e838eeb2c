package dev.medsam.examples.cli;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.dicom.DicomFile;
import dev.medsam.io.dicom.DicomSegWriter;
import dev.medsam.io.dicom.DicomSeries;
import dev.medsam.io.dicom.SegmentDescription;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code --out x.dcm} on {@code segment} and {@code segment3d}: a DICOM Segmentation object that references the DICOM
 * image or series the labels were drawn on. Checked before the model runs (the source must be DICOM), written
 * after it.
 */
final class DicomSegOutput {

    private DicomSegOutput() {
    }

    /** Whether {@code out} asks for DICOM SEG output (its name ends in .dcm). */
    static boolean wanted(Path out) {
        return out != null && out.getFileName() != null
                && out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm");
    }

    /** Usage check of --seg-label against the number of objects. */
    static void checkLabels(CommandLine cl, Path out, List<String> labels, int objects) {
        if (!labels.isEmpty() && !wanted(out)) {
            throw new CommandLine.ParameterException(cl, "--seg-label names segments of a DICOM SEG output; give --out "
                    + "with a .dcm name");
        }
        if (labels.size() > objects) {
            throw new CommandLine.ParameterException(cl, labels.size() + " --seg-label names for " + objects
                    + " object(s)");
        }
        for (String l : labels) {
            try {
                SegmentDescription.of(l);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--seg-label " + e.getMessage());
            }
        }
    }

    /**
     * The DICOM source for SEG output: the file itself, or the folder's series.
     *
     * @throws IOException naming the image when it is not DICOM
     */
    static DicomSeries source(Path image, LoadedImage loaded) throws IOException {
        if (loaded.format() != ImageFormat.DICOM) {
            throw new IOException("--out *.dcm writes a DICOM SEG, which must reference a DICOM source; " + image
                    + " is " + loaded.format().name() + " (write .nii.gz, .npy or .png instead)");
        }
        DicomSeries series = Files.isDirectory(image) ? DicomSeries.open(image) : DicomSeries.of(List.of(image));
        for (DicomFile f : series.files()) {
            if (f.frameCount() != 1) {
                throw new IOException(f.path() + ": a multi-frame DICOM image (" + f.frameCount() + " frames); DICOM SEG "
                        + "output supports single-frame sources only (write .nii.gz instead)");
            }
        }
        return series;
    }

    /** The writer: algorithm MedSAM (or SAM for the sam pipeline), this build's version, the named segments. */
    static DicomSegWriter writer(String algorithm, List<String> labels) {
        String v = DicomSegOutput.class.getPackage().getImplementationVersion();
        DicomSegWriter.Builder b = DicomSegWriter.builder(algorithm, v == null ? "development" : v);
        for (int i = 0; i < labels.size(); i++) {
            b.segment(i + 1, SegmentDescription.of(labels.get(i)));
        }
        return b.build();
    }

    /** Writes the labels of one slice of {@code source} (slice index {@code slice} in position order). */
    static DicomSegWriter.Result writePlane(DicomSegWriter writer, Path out, DicomSeries source, int slice,
                                            MedicalImage labels) throws IOException {
        return writer.write(out, source.files().get(slice), labels);
    }
}
