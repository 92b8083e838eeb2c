package dev.medsam.io.dicom;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Rescale;
import dev.medsam.io.dicom.internal.FrameData;
import dev.medsam.io.dicom.internal.Geometry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The single-frame files of one DICOM series (same Series Instance UID) as one volume, sorted by position along the
 * slice normal (not by Instance Number), with the slice step taken from the positions (not from Slice Thickness).
 *
 * <pre>{@code
 * DicomSeries series = DicomSeries.open(Path.of("ct-folder"));   // the folder's one image series
 * series.warnings().forEach(System.err::println);               // gaps, uneven steps, mixed orientations
 * MedicalImage volume = series.readVolume();                     // dims (columns, rows, slices), LPS affine
 * }</pre>
 *
 * <p>Scanning reads headers only; pixels are read by {@link #readVolume()}. The affine follows the convention of
 * {@link DicomFile#affine()}, with slice axis {@code normal * step}, {@code step = (d[n-1] - d[0]) / (n - 1)} for the
 * positions {@code d} projected on the normal, ascending, and origin at the first (lowest) slice. Doubtful
 * geometry (gaps, uneven steps, mixed orientations, missing or repeated positions) is reported in
 * {@link #warnings()} and logged, never silently corrected.
 *
 * <p>Immutable and thread-safe.
 */
public final class DicomSeries {

    private static final System.Logger LOG = System.getLogger(DicomSeries.class.getName());

    private final String seriesInstanceUid;
    private final List<DicomFile> files;
    private final double[] positions;
    private final double step;
    private final Affine affine;
    private final List<String> warnings;

    private DicomSeries(String uid, List<DicomFile> unsorted, List<String> scanWarnings) throws IOException {
        this.seriesInstanceUid = uid;
        List<String> warn = new ArrayList<>(scanWarnings);
        String label = "series " + uid;
        DicomFile first = unsorted.get(0);
        FrameData f0 = first.frameData().get(0);
        double[][] dirs = Geometry.directions(f0.orientation());
        boolean positioned = unsorted.stream().allMatch(f -> f.frameData().get(0).position() != null);
        List<DicomFile> sorted = new ArrayList<>(unsorted);
        double[] d = new double[sorted.size()];
        if (sorted.size() > 1 && unsorted.stream().anyMatch(f -> f.frameCount() > 1)) {
            throw new IOException(label + " mixes " + sorted.size() + " files of which some are multi-frame; read them one "
                    + "by one with DicomFile");
        }
        if (positioned && dirs != null) {
            double[] normal = dirs[2];
            sorted.sort(Comparator.<DicomFile>comparingDouble(f -> Geometry.dot(f.frameData().get(0).position(), normal))
                    .thenComparingInt(f -> f.instanceNumber().orElse(0)));
            for (int i = 0; i < d.length; i++) {
                d[i] = Geometry.dot(sorted.get(i).frameData().get(0).position(), normal);
            }
            for (DicomFile f : sorted) {
                if (!Geometry.sameOrientation(f.frameData().get(0).orientation(), f0.orientation())) {
                    warn.add(label + ": mixed orientations: " + f.path().getFileName() + " has Image Orientation (Patient) "
                            + Arrays.toString(f.frameData().get(0).orientation()) + ", the first file "
                            + Arrays.toString(f0.orientation()));
                    break;
                }
            }
        } else {
            sorted.sort(Comparator.comparingInt(f -> f.instanceNumber().orElse(0)));
            for (int i = 0; i < d.length; i++) {
                d[i] = i;
            }
            if (sorted.size() > 1) {
                warn.add(label + ": files lack Image Position/Orientation (Patient); sorted by Instance Number with a "
                        + "1 mm nominal step");
            }
        }
        this.files = List.copyOf(sorted);
        this.positions = d;
        int n = d.length;
        double s = n > 1 ? (d[n - 1] - d[0]) / (n - 1) : Double.NaN;
        if (n > 1 && positioned && dirs != null) {
            checkSteps(label, d, s, warn);
        }
        if (n == 1) {
            this.step = Double.NaN;
            this.affine = first.affine();
        } else {
            double useStep = s > 0 ? s : 1;
            this.step = s;
            FrameData base = sorted.get(0).frameData().get(0);
            Affine a = DicomFile.planeAffine(base, useStep, label, warn);
            this.affine = a;
        }
        this.warnings = List.copyOf(warn);
        for (String w : warnings) {
            LOG.log(System.Logger.Level.WARNING, w);
        }
    }

    private void checkSteps(String label, double[] d, double mean, List<String> warn) {
        int n = d.length;
        double[] steps = new double[n - 1];
        for (int i = 0; i < n - 1; i++) {
            steps[i] = d[i + 1] - d[i];
        }
        double[] sortedSteps = steps.clone();
        Arrays.sort(sortedSteps);
        double median = sortedSteps[sortedSteps.length / 2];
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] < 1e-4) {
                warn.add(label + ": " + files.get(i).path().getFileName() + " and " + files.get(i + 1).path().getFileName()
                        + " are at the same position " + d[i] + " mm (repeated slices: several echoes or time points?)");
                return;
            }
        }
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] > 1.5 * median) {
                warn.add(label + ": gap of " + steps[i] + " mm between " + files.get(i).path().getFileName() + " and "
                        + files.get(i + 1).path().getFileName() + " (typical step " + median + " mm): slices may be missing");
                return;
            }
        }
        double tol = Math.max(1e-3, 0.01 * Math.abs(mean));
        if (Math.abs(sortedSteps[0] - mean) > tol || Math.abs(sortedSteps[sortedSteps.length - 1] - mean) > tol) {
            warn.add(label + ": uneven slice steps from " + sortedSteps[0] + " to " + sortedSteps[sortedSteps.length - 1]
                    + " mm; the volume uses the mean step " + mean + " mm");
        }
    }

    /**
     * All series in {@code folder} (not its subfolders), each sorted, ordered by Series Instance UID. A multi-frame
     * file that shares its Series Instance UID with other files is returned as a series of its own. Files that are
     * not DICOM and objects without pixel data are skipped; files that start like DICOM but cannot be read are left
     * out with a warning in each returned series' {@link #warnings()}.
     *
     * @throws IOException if the folder cannot be listed, or a series cannot be formed
     */
    public static List<DicomSeries> scan(Path folder) throws IOException {
        Objects.requireNonNull(folder, "folder");
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + " is not a folder");
        }
        List<Path> paths;
        try (Stream<Path> s = Files.list(folder)) {
            paths = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
        Map<String, List<DicomFile>> groups = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        for (Path p : paths) {
            DicomFile f;
            try {
                f = DicomFile.open(p);
            } catch (IOException e) {
                if (looksLikeDicom(p)) {
                    skipped.add("skipped " + p.getFileName() + ": " + e.getMessage());
                }
                continue;
            }
            if (!f.hasPixelData()) {
                continue;
            }
            groups.computeIfAbsent(f.seriesInstanceUid().orElse(""), k -> new ArrayList<>()).add(f);
        }
        List<DicomSeries> out = new ArrayList<>();
        for (Map.Entry<String, List<DicomFile>> e : groups.entrySet()) {
            List<DicomFile> files = e.getValue();
            if (files.size() > 1 && files.stream().anyMatch(f -> f.frameCount() > 1)) {
                // Multi-frame files are volumes of their own: each is returned as a series of one file.
                for (DicomFile f : files) {
                    out.add(new DicomSeries(e.getKey(), List.of(f), skipped));
                }
            } else {
                out.add(new DicomSeries(e.getKey(), files, skipped));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The one image series in {@code folder}. Segmentations (Modality SEG) are not image series and are ignored here.
     *
     * @throws IOException if the folder holds no image series, or more than one (the message lists them; use
     *                     {@link #open(Path, String)})
     */
    public static DicomSeries open(Path folder) throws IOException {
        List<DicomSeries> all = new ArrayList<>(scan(folder));
        all.removeIf(s -> "SEG".equals(s.files.get(0).modality().orElse("")));
        if (all.isEmpty()) {
            throw new IOException(folder + " holds no DICOM image series");
        }
        if (all.size() > 1) {
            StringBuilder sb = new StringBuilder(folder + " holds " + all.size() + " image series:");
            for (DicomSeries s : all) {
                sb.append(' ').append(s.seriesInstanceUid).append(" (").append(s.files.size()).append(" files)");
            }
            throw new IOException(sb.append("; choose one by its Series Instance UID").toString());
        }
        return all.get(0);
    }

    /**
     * The series {@code seriesInstanceUid} in {@code folder}.
     *
     * @throws IOException if it is not there
     */
    public static DicomSeries open(Path folder, String seriesInstanceUid) throws IOException {
        for (DicomSeries s : scan(folder)) {
            if (s.seriesInstanceUid.equals(seriesInstanceUid)) {
                return s;
            }
        }
        throw new IOException(folder + " holds no series " + seriesInstanceUid);
    }

    /**
     * A series of the given files, which must share one Series Instance UID.
     *
     * @throws IOException if a file cannot be read, has no pixel data, or belongs to another series
     */
    public static DicomSeries of(List<Path> files) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a series needs at least one file");
        }
        Map<String, List<DicomFile>> groups = new LinkedHashMap<>();
        for (Path p : files) {
            DicomFile f = DicomFile.open(p);
            if (!f.hasPixelData()) {
                throw new IOException(p + ": no pixel data (7FE0,0010)");
            }
            groups.computeIfAbsent(f.seriesInstanceUid().orElse(""), k -> new ArrayList<>()).add(f);
        }
        if (groups.size() > 1) {
            throw new IOException("the files belong to " + groups.size() + " series: " + groups.keySet());
        }
        Map.Entry<String, List<DicomFile>> e = groups.entrySet().iterator().next();
        return new DicomSeries(e.getKey(), e.getValue(), List.of());
    }

    private static boolean looksLikeDicom(Path p) {
        try (var in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(132);
            return head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        } catch (IOException e) {
            return false;
        }
    }

    public String seriesInstanceUid() {
        return seriesInstanceUid;
    }

    /** The files, sorted by position along the slice normal (ascending). */
    public List<DicomFile> files() {
        return files;
    }

    /** Number of slices. */
    public int size() {
        return files.size();
    }

    /** Each slice's position along the normal (mm, ascending), or its rank when positions are missing. */
    public double[] slicePositions() {
        return positions.clone();
    }

    /** The mean step between slices along the normal in mm; NaN for a single slice. */
    public double sliceStep() {
        return step;
    }

    /** Voxel (column, row, slice) to LPS mm, from headers alone. */
    public Affine affine() {
        return affine;
    }

    /** Doubtful geometry and skipped files (also logged). */
    public List<String> warnings() {
        return warnings;
    }

    /** Index of the slice whose SOP Instance UID is {@code uid}, or -1. */
    public int indexOf(String sopInstanceUid) {
        for (int i = 0; i < files.size(); i++) {
            if (sopInstanceUid.equals(files.get(i).sopInstanceUid().orElse(""))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Reads every slice into one volume: dims (columns, rows, slices) for a series of single-frame files (a series of
     * one multi-frame file is that file's image), stored values, the common rescale, the first slice's window, the
     * series affine. Slices whose rescales differ make a float32 volume of real values with an identity rescale
     * (attribute {@code dicom.rescaledToFloat}).
     *
     * @throws IOException if a slice cannot be decoded or its size or pixel type differs from the first slice's
     */
    public MedicalImage readVolume() throws IOException {
        DicomFile first = files.get(0);
        if (files.size() == 1) {
            return first.readImage();
        }
        int rows = first.rows();
        int cols = first.columns();
        DataType type = first.dataType();
        int spp = first.samplesPerPixel();
        for (DicomFile f : files) {
            if (f.rows() != rows || f.columns() != cols || f.dataType() != type || f.samplesPerPixel() != spp) {
                throw new IOException("series " + seriesInstanceUid + ": " + f.path() + " is " + f.columns() + " x " + f.rows()
                        + " x " + f.samplesPerPixel() + " " + f.dataType().numpyName() + ", but " + first.path() + " is "
                        + cols + " x " + rows + " x " + spp + " " + type.numpyName());
            }
        }
        long sliceBytes = (long) rows * cols * spp * type.bytes();
        long total = sliceBytes * files.size();
        if (total > MedicalImage.MAX_BYTES) {
            throw new IOException("series " + seriesInstanceUid + ": " + files.size() + " slices of " + sliceBytes
                    + " bytes are more than one image can hold");
        }
        Rescale rescale = first.frameData().get(0).rescale();
        boolean varies = files.stream().anyMatch(f -> !f.frameData().get(0).rescale().equals(rescale));
        int[] dims = {cols, rows, files.size()};
        dev.medsam.io.files.internal.Limits.checkHeap(files.get(0).path(), "series " + seriesInstanceUid + " ("
                + files.size() + " slices of " + cols + " x " + rows + ")", total * dev.medsam.io.files.internal.Limits.IMAGE_COPIES);
        byte[] data = new byte[(int) total];
        List<FrameData> frameData = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            byte[] slice = files.get(i).decodePixels();
            System.arraycopy(slice, 0, data, (int) (i * sliceBytes), (int) sliceBytes);
            frameData.add(files.get(i).frameData().get(0));
        }
        MedicalImage.Builder b;
        if (varies) {
            b = MedicalImage.builder(DataType.FLOAT32, dims);
            data = DicomFile.toReal(data, type, rows * cols * spp, frameData);
            b.attribute("dicom.rescaledToFloat", "true");
        } else {
            b = MedicalImage.builder(type, dims).rescale(rescale);
        }
        b.components(spp).affine(affine).modality(first.modality().orElse(null));
        if (first.frameData().get(0).window() != null) {
            b.window(first.frameData().get(0).window());
        }
        first.describe(b, false);
        return b.data(ByteBuffer.wrap(data)).build();
    }

    @Override
    public String toString() {
        return "DicomSeries[" + seriesInstanceUid + ", " + files.size() + " slices, step " + step + " mm]";
    }
}
