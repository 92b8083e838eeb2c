package dev.medsam.examples.cli;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.dicom.DicomFile;
import dev.medsam.io.dicom.DicomSegWriter;
import dev.medsam.io.dicom.DicomSeries;
import dev.medsam.io.dicom.SegmentDescription;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.SpacingOrder;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code medsam eval --dicom DIR}: a DICOM SEG of each case's {@code segs}, written beside {@code <case>.npz}, for
 * cases whose images came from DICOM. A challenge npz carries no DICOM source, so the source of case
 * {@code <case>.npz} is the series folder {@code DIR/<case>/} or the file {@code DIR/<case>.dcm}, and the case's
 * {@code imgs} must hold that source's voxels on its grid and in its order (an intensity mapping such as a CT window
 * or the challenge's 0-255 scaling is fine; cropping, resampling or flipping is not). That is checked before the model
 * loads: the dims must equal (columns, rows, slices) of the source, and the Pearson correlation of {@code imgs} with
 * the source's stored values must be at least {@link #MIN_CORRELATION} and higher than with the source flipped along
 * any axis (which is what a z-reversed or upside-down export would look like). The SEG then takes the source's
 * geometry.
 */
final class EvalSegOutput {

    /** The least correlation between a case's imgs and its DICOM source for them to count as the same voxels. */
    static final double MIN_CORRELATION = 0.5;
    /** Most voxels sampled for the correlation (evenly strided): plenty for a stable estimate, bounded time. */
    private static final long SAMPLES = 4_000_000;

    private final Path dicomDir;
    private final Path out;
    private final List<String> labels;
    private DicomSegWriter writer;
    private int written;

    private EvalSegOutput(Path dicomDir, Path out, List<String> labels) {
        this.dicomDir = dicomDir;
        this.out = out;
        this.labels = List.copyOf(labels);
        this.writer = DicomSegOutput.writer("MedSAM", this.labels);
    }

    /**
     * Names the model in the SEG files written from now on (their Segment Algorithm Name); the checkpoint decides it,
     * and is read only after the inputs are checked.
     */
    void useModel(String algorithm) {
        writer = DicomSegOutput.writer(algorithm, labels);
    }

    /**
     * The SEG output {@code --dicom} asks for, or null without it.
     *
     * @throws CommandLine.ParameterException for --seg-label without --dicom, bad names, or a --dicom that is not a
     *                                        folder
     */
    static EvalSegOutput of(CommandLine cl, Path dicomDir, Path out, List<String> labels) {
        if (dicomDir == null) {
            if (!labels.isEmpty()) {
                throw new CommandLine.ParameterException(cl, "--seg-label names segments of the DICOM SEG files that "
                        + "--dicom DIR asks for; give --dicom");
            }
            return null;
        }
        if (!Files.isDirectory(dicomDir)) {
            throw new CommandLine.ParameterException(cl, "--dicom " + dicomDir + " is not a folder");
        }
        for (String l : labels) {
            try {
                SegmentDescription.of(l);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--seg-label " + e.getMessage());
            }
        }
        return new EvalSegOutput(dicomDir, out, labels);
    }

    /** How many SEG files {@link #write} wrote. */
    int written() {
        return written;
    }

    /**
     * Finds and checks the DICOM source of every case (see the class comment). Reads each case and its source once.
     *
     * @throws IOException naming the case when a source is missing, ambiguous, unreadable or does not hold the
     *                     case's voxels
     */
    void check(List<Path> cases) throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path c : cases) {
            if (source(c).isEmpty()) {
                missing.add(c.getFileName().toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException("no DICOM source in " + dicomDir + " for " + missing.size() + " case(s) (a series "
                    + "folder <case>/ or a file <case>.dcm): " + String.join(", ", missing.subList(0,
                    Math.min(10, missing.size()))) + (missing.size() > 10 ? ", ..." : ""));
        }
        for (Path c : cases) {
            Path src = source(c).get(0);
            DicomSeries series = open(c, src);
            MedicalImage imgs = MedSamNpz.read(c).image(SpacingOrder.ARRAY_ORDER);
            int[] d = dims(imgs);
            DicomFile first = series.files().get(0);
            if (d[0] != first.columns() || d[1] != first.rows() || d[2] != series.size()) {
                throw new IOException(c + ": 'imgs' is " + d[0] + " x " + d[1] + " x " + d[2] + " (columns, rows, "
                        + "slices) but its DICOM source " + src + " is " + first.columns() + " x " + first.rows() + " x "
                        + series.size() + ": a DICOM SEG needs the case on its source's grid (not cropped or resampled)");
            }
            checkSameVoxels(c, src, imgs, series.readVolume());
        }
    }

    /**
     * Writes {@code <case>.dcm} from the {@code segs} that eval wrote to {@code <out>/<case>.npz}.
     *
     * @return false when the case has no labelled voxel (a SEG holds at least one frame), and nothing was written
     */
    boolean write(String caseFileName) throws IOException {
        Path segsFile = out.resolve(caseFileName);
        NpyArray segs = Npz.read(segsFile, "segs");
        MedicalImage labels = segs.toMedicalImage();
        boolean any = false;
        for (long i = 0, n = labels.valueCount(); i < n && !any; i++) {
            any = labels.get(i) != 0;
        }
        if (!any) {
            return false;
        }
        Path src = source(segsFile).get(0);
        DicomSeries series = open(segsFile, src);
        boolean plane = labels.rank() < 3;
        // the labels' own affine is the npz spacing's; the check above showed they lie on the source's grid
        MedicalImage onGrid = labels.toBuilder(labels.dataType())
                .affine(plane ? series.files().get(0).affine() : series.affine().to(CoordinateSystem.LPS))
                .data(labels.data()).build();
        Path seg = out.resolve(stem(caseFileName) + ".dcm");
        if (plane) {
            writer.write(seg, series.files().get(0), onGrid);
        } else {
            writer.write(seg, series, onGrid);
        }
        written++;
        return true;
    }

    /** The case's source candidates that exist: DIR/<case>/ and DIR/<case>.dcm; an error when both do. */
    private List<Path> source(Path caseFile) throws IOException {
        String stem = stem(caseFile.getFileName().toString());
        Path folder = dicomDir.resolve(stem);
        Path file = dicomDir.resolve(stem + ".dcm");
        boolean isFolder = Files.isDirectory(folder);
        boolean isFile = Files.isRegularFile(file);
        if (isFolder && isFile) {
            throw new IOException("case " + caseFile.getFileName() + " has two DICOM sources, " + folder + " and "
                    + file + "; keep one");
        }
        return isFolder ? List.of(folder) : isFile ? List.of(file) : List.of();
    }

    private static DicomSeries open(Path caseFile, Path src) throws IOException {
        DicomSeries series;
        try {
            series = Files.isDirectory(src) ? DicomSeries.open(src) : DicomSeries.of(List.of(src));
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("case " + caseFile.getFileName() + ": its DICOM source " + src + " cannot be read: "
                    + e.getMessage(), e);
        }
        for (DicomFile f : series.files()) {
            if (f.frameCount() != 1) {
                throw new IOException("case " + caseFile.getFileName() + ": " + f.path() + " is a multi-frame DICOM "
                        + "image (" + f.frameCount() + " frames); DICOM SEG output supports single-frame sources only");
            }
        }
        return series;
    }

    private static String stem(String caseFileName) {
        return caseFileName.toLowerCase(Locale.ROOT).endsWith(".npz")
                ? caseFileName.substring(0, caseFileName.length() - 4) : caseFileName;
    }

    /** (x, y, z) sizes, z = 1 for a 2D image. */
    private static int[] dims(MedicalImage image) {
        return new int[] {image.width(), image.height(), image.rank() >= 3 ? image.dim(2) : 1};
    }

    /**
     * Whether {@code imgs} and {@code source} (same dims) are the same voxels in the same order: their correlation
     * (first channel of colour images) is at least {@link #MIN_CORRELATION} and no flip of the source along x, y or
     * z correlates better. Throws naming the flip when one fits better (and at least that well), else naming the
     * correlation when it is too low.
     */
    static void checkSameVoxels(Path caseFile, Path src, MedicalImage imgs, MedicalImage source) throws IOException {
        int[] d = dims(imgs);
        long n = (long) d[0] * d[1] * d[2];
        long stride = Math.max(1, n / SAMPLES);
        double[] r = new double[8]; // bit 0: x flipped, bit 1: y, bit 2: z
        for (int flip = 0; flip < 8; flip++) {
            if ((flip & 1) != 0 && d[0] == 1 || (flip & 2) != 0 && d[1] == 1 || (flip & 4) != 0 && d[2] == 1) {
                r[flip] = Double.NaN; // a flip along an axis of one voxel is no flip
                continue;
            }
            double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
            long count = 0;
            for (long i = 0; i < n; i += stride) {
                int x = (int) (i % d[0]);
                int y = (int) (i / d[0] % d[1]);
                int z = (int) (i / ((long) d[0] * d[1]));
                long j = (((flip & 4) != 0 ? d[2] - 1 - z : z) * (long) d[1] + ((flip & 2) != 0 ? d[1] - 1 - y : y))
                        * d[0] + ((flip & 1) != 0 ? d[0] - 1 - x : x);
                double a = imgs.get(i * imgs.components());
                double b = source.get(j * source.components());
                sa += a;
                sb += b;
                saa += a * a;
                sbb += b * b;
                sab += a * b;
                count++;
            }
            double cov = sab - sa * sb / count;
            double va = saa - sa * sa / count;
            double vb = sbb - sb * sb / count;
            r[flip] = va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : Double.NaN;
        }
        if (Double.isNaN(r[0])) {
            throw new IOException(caseFile + ": 'imgs' or its DICOM source " + src + " is constant, so eval cannot "
                    + "check that they are the same voxels; no DICOM SEG can be written for it");
        }
        int best = 0;
        for (int flip = 1; flip < 8; flip++) {
            if (r[flip] > r[best] + 1e-9) {
                best = flip;
            }
        }
        // a flip that fits well and better than the stored order: the same image, in another order
        if (best != 0 && r[best] >= MIN_CORRELATION) {
            throw new IOException(String.format(Locale.ROOT, "%s: 'imgs' matches its DICOM source %s better "
                    + "flipped along %s (correlation %.3f against %.3f as stored): the case's voxel order differs "
                    + "from the source's, so its labels would land on the wrong voxels", caseFile, src,
                    flipName(best), r[best], r[0]));
        }
        if (r[0] < MIN_CORRELATION) {
            throw new IOException(String.format(Locale.ROOT, "%s: 'imgs' does not look like its DICOM source %s "
                    + "(correlation %.3f, below %.1f): is it the same image?", caseFile, src, r[0], MIN_CORRELATION));
        }
    }

    private static String flipName(int flip) {
        List<String> axes = new ArrayList<>();
        if ((flip & 1) != 0) {
            axes.add("x (columns)");
        }
        if ((flip & 2) != 0) {
            axes.add("y (rows)");
        }
        if ((flip & 4) != 0) {
            axes.add("z (slices)");
        }
        return String.join(" and ", axes);
    }
}
