package dev.medsam.server.internal;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.dicom.DicomFile;
import dev.medsam.io.dicom.DicomSegWriter;
import dev.medsam.io.dicom.DicomSeries;
import dev.medsam.io.dicom.SegmentDescription;
import dev.medsam.server.internal.ImageRoot.LoadedVolume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Label maps as DICOM SEG answers ({@code "format": "dicom-seg"}), with the library's {@link DicomSegWriter} as
 * {@code medsam segment --out x.dcm} uses it: the SEG references the DICOM file or series the image was read from
 * (a slice answer references that slice's file), one segment per object named by the request's labels. Sources
 * that are not DICOM are a 400 saying why; DICOM sources the writer cannot reference (multi-frame images, no
 * geometry) and results without a labelled pixel are a 422. Thread-safe (immutable).
 */
public final class DicomSegAnswers {

    private final ImageRoot root;
    private final String algorithm;
    private final String version;

    /**
     * @param algorithm the algorithm name written into the SEG ("MedSAM", or "SAM" for Segment Anything's pipeline)
     * @param version   its version (this build's)
     */
    public DicomSegAnswers(ImageRoot root, String algorithm, String version) {
        this.root = Objects.requireNonNull(root, "root");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.version = Objects.requireNonNull(version, "version");
    }

    /**
     * The DICOM file or series {@code v} was read from, checked to be something a SEG can reference.
     *
     * @throws HttpError 400 when {@code v} is not DICOM, 422 when its files cannot be a SEG's source
     */
    public DicomSeries source(LoadedVolume v) {
        if (v.format() != ImageFormat.DICOM) {
            throw HttpError.badRequest("format: " + Requests.DICOM_SEG + " needs a DICOM source (a DICOM SEG "
                    + "references the DICOM images it was drawn on); '" + v.path() + "' is "
                    + v.format().name() + ": ask for nifti, npy or png instead");
        }
        Path file = root.resolve(v.path());
        DicomSeries series;
        try {
            series = Files.isDirectory(file) ? DicomSeries.open(file) : DicomSeries.of(List.of(file));
        } catch (IOException | IllegalArgumentException e) {
            throw new HttpError(422, "path '" + v.path() + "': cannot be the source of a DICOM SEG: "
                    + root.withoutRoot(e.getMessage()));
        }
        for (DicomFile f : series.files()) {
            if (f.frameCount() != 1) {
                throw new HttpError(422, "path '" + v.path() + "': " + root.withoutRoot(f.path().toString())
                        + " is a multi-frame DICOM image (" + f.frameCount() + " frames); DICOM SEG answers support "
                        + "single-frame sources only (ask for nifti instead)");
            }
        }
        if (series.size() != v.slices()) {
            throw new HttpError(422, "path '" + v.path() + "': the DICOM series has " + series.size() + " files but "
                    + "the image " + v.slices() + " slices; a DICOM SEG needs one file per slice");
        }
        return series;
    }

    /**
     * Writes the label map of slice {@code slice} of {@code source} ({@code labels} on that slice's grid) to
     * {@code out}.
     */
    public void writeSlice(Path out, DicomSeries source, int slice, MedicalImage labels, List<String> names,
                           String path) throws IOException {
        requireLabelled(labels, path);
        try {
            writer(names).write(out, source.files().get(source.size() > 1 ? slice : 0), labels);
        } catch (IllegalArgumentException e) {
            throw new HttpError(422, "path '" + path + "': " + root.withoutRoot(e.getMessage()));
        }
    }

    /** Writes the label volume {@code labels} (on {@code source}'s grid, slices in its order) to {@code out}. */
    public void writeVolume(Path out, DicomSeries source, MedicalImage labels, List<String> names, String path)
            throws IOException {
        requireLabelled(labels, path);
        try {
            writer(names).write(out, source, labels);
        } catch (IllegalArgumentException e) {
            throw new HttpError(422, "path '" + path + "': " + root.withoutRoot(e.getMessage()));
        }
    }

    private DicomSegWriter writer(List<String> names) {
        DicomSegWriter.Builder b = DicomSegWriter.builder(algorithm, version);
        for (int i = 0; i < names.size(); i++) {
            b.segment(i + 1, SegmentDescription.of(names.get(i)));
        }
        return b.build();
    }

    /** A SEG holds at least one frame, so an all-background result has no SEG: say so instead of failing later. */
    private static void requireLabelled(MedicalImage labels, String path) {
        for (long i = 0, n = labels.valueCount(); i < n; i++) {
            if (labels.get(i) != 0) {
                return;
            }
        }
        throw new HttpError(422, "the masks for '" + path + "' are empty (no pixel segmented): a DICOM SEG needs "
                + "at least one segmented pixel; try other prompts or ask for nifti, npy or png");
    }

    /** {@code message} without the served folder's absolute path, which the client need not learn. */
}
