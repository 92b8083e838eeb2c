package dev.medsam.examples.eval;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.EncodedImage;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.metrics.LabelVolume;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.volume.CancellationToken;
import dev.medsam.core.volume.PropagationListener;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.core.volume.VolumePrompt;
import dev.medsam.core.volume.VolumeSegmenter;
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.SpacingOrder;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs MedSAM over a folder in the layout of the CVPR 2024 "MedSAM on laptop" challenge and scores it as the
 * challenge's {@code evaluation/compute_metrics.py} does.
 *
 * <h2>Layout</h2>
 * <ul>
 *   <li>images folder: one {@code .npz} per case with {@code imgs} and {@code boxes} (and optionally
 *       {@code spacing}): 3D cases {@code imgs} (D, H, W) and {@code boxes} (N, 6) rows
 *       {@code [x0, y0, z0, x1, y1, z1]} (z1 inclusive); 2D cases {@code imgs} (H, W, 3) or (H, W) and
 *       {@code boxes} (N, 4) rows {@code [x0, y0, x1, y1]};</li>
 *   <li>ground-truth folder: an npz of the same name with {@code gts} (same shape as the labels) and, for 3D,
 *       {@code spacing};</li>
 *   <li>output folder: {@code <case>.npz} with {@code segs} (labels 1..N in box order, later boxes overwriting
 *       earlier ones), and {@code metrics.csv} with one row per case.</li>
 * </ul>
 *
 * <h2>What runs</h2>
 * 3D cases go through {@link VolumeSegmenter} (middle slice, propagation up then down); 2D cases are encoded once
 * and all boxes decoded together. Images that are already 8-bit (as the challenge's are) are used as they are;
 * others get the configured {@link IntensityPreset}, or by default the soft-tissue CT window when the case name
 * has a {@code CT} part ({@code 3DBox_CT_0001.npz}) and the percentile preset otherwise, applied to the whole
 * volume.
 *
 * <h2>Scores</h2>
 * See {@link ChallengeMetrics}. The NSD tolerance is in mm with the ground truth's {@code spacing} (read in the
 * configured {@link SpacingOrder}, by default as the reference uses it: one value per array axis), or in pixels for
 * 2D cases. Run time covers reading, segmenting and writing a case, not scoring it.
 *
 * <p>Outputs are written atomically (temporary file, then move). A case that cannot be read or segmented stops
 * the evaluation with an error naming the file; cases finished before it keep their {@code segs} files.
 */
public final class ChallengeEvaluation {

    private static final System.Logger LOG = System.getLogger(ChallengeEvaluation.class.getName());

    /** Name of the per-case CSV in the output folder. */
    public static final String CSV_NAME = "metrics.csv";

    /** Hears about each case; called on the evaluating thread. */
    public interface Listener {
        /** Before case {@code index} (0-based) of {@code total} starts. */
        default void caseStarted(int index, int total, String name) {
        }

        /**
         * During a 3D case {@code index} (0-based) of {@code total}: {@code slicesDone} of {@code slicesTotal}
         * slice visits of its propagation are done. Lets a progress display move within a long case.
         */
        default void sliceProgress(int index, int total, int slicesDone, int slicesTotal) {
        }

        /** After case {@code index} (0-based) of {@code total} was scored. */
        default void caseDone(int index, int total, CaseResult result) {
        }
    }

    private final Path images;
    private final Optional<Path> groundTruth;
    private final Path out;
    private final SpacingOrder spacingOrder;
    private final double toleranceMm;
    private final PropagationOptions propagation;
    private final Optional<IntensityPreset> preset;
    private final Listener listener;

    private ChallengeEvaluation(Builder b) {
        this.images = b.images;
        this.groundTruth = b.groundTruth;
        this.out = b.out;
        this.spacingOrder = b.spacingOrder;
        this.toleranceMm = b.toleranceMm;
        this.propagation = b.propagation;
        this.preset = b.preset;
        this.listener = b.listener;
    }

    /** An evaluation of the cases in {@code images} against {@code groundTruth}, writing to {@code out}. */
    public static Builder builder(Path images, Path groundTruth, Path out) {
        return new Builder(Objects.requireNonNull(images, "images folder"),
                Optional.of(Objects.requireNonNull(groundTruth, "ground-truth folder")),
                Objects.requireNonNull(out, "output folder"));
    }

    /**
     * Segmentation without scores: the cases in {@code images} are segmented into {@code out}; their results have
     * NaN DSC and NSD and no ground-truth voxels (used by {@code medsam batch} when no ground truth is given).
     */
    public static Builder builderWithoutGroundTruth(Path images, Path out) {
        return new Builder(Objects.requireNonNull(images, "images folder"), Optional.empty(),
                Objects.requireNonNull(out, "output folder"));
    }

    /**
     * The cases, in name order, after checking that every one has its ground truth; cheap (names only), so a
     * caller can check before it loads a model. {@link #run} checks the same.
     *
     * @throws IOException              if a folder cannot be listed
     * @throws IllegalArgumentException if the images folder has no cases or a case has no ground truth
     */
    public List<Path> checkInputs() throws IOException {
        List<Path> cases = listCases();
        List<String> missing = new ArrayList<>();
        for (Path c : cases) {
            if (groundTruth.isPresent()
                    && !Files.isRegularFile(groundTruth.get().resolve(c.getFileName().toString()))) {
                missing.add(c.getFileName().toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no ground truth in " + groundTruth.get() + " for " + missing.size()
                    + " case(s): " + String.join(", ", missing.subList(0, Math.min(10, missing.size())))
                    + (missing.size() > 10 ? ", ..." : ""));
        }
        return cases;
    }

    /**
     * Segments and scores every case with {@code session} (which stays open) and writes the outputs.
     *
     * @throws IOException              if a folder or file cannot be read or written, or a case is malformed
     *                                  (the message names the file and array)
     * @throws IllegalArgumentException if the images folder has no cases or a case has no ground truth
     */
    public EvaluationReport run(SegmentationSession session) throws IOException {
        Objects.requireNonNull(session, "session");
        List<Path> cases = checkInputs();
        Files.createDirectories(out);
        List<CaseResult> results = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            String name = cases.get(i).getFileName().toString();
            listener.caseStarted(i, cases.size(), name);
            int index = i;
            int count = cases.size();
            CaseResult r = runCase(session, cases.get(i),
                    p -> listener.sliceProgress(index, count, p.slicesDone(), p.slicesTotal()));
            results.add(r);
            LOG.log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT, "%s: dsc %.4f nsd %.4f, %.1f s", name,
                    r.dsc(), r.nsd(), r.runTime().toNanos() / 1e9));
            listener.caseDone(i, cases.size(), r);
        }
        Path csv = out.resolve(CSV_NAME);
        writeCsv(csv, results);
        return new EvaluationReport(results, csv);
    }

    /**
     * The case files of the images folder ({@code *.npz}), sorted by name.
     *
     * @throws IOException              if the images or ground-truth folder is not a folder
     * @throws IllegalArgumentException if there are no cases
     */
    public List<Path> listCases() throws IOException {
        if (!Files.isDirectory(images)) {
            throw new IOException(images + ": is not a folder of case npz files");
        }
        if (groundTruth.isPresent() && !Files.isDirectory(groundTruth.get())) {
            throw new IOException(groundTruth.get() + ": is not a folder of ground-truth npz files");
        }
        List<Path> cases = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(images, "*.npz")) {
            for (Path p : files) {
                if (Files.isRegularFile(p)) {
                    cases.add(p);
                }
            }
        }
        if (cases.isEmpty()) {
            throw new IllegalArgumentException(images + " has no .npz cases");
        }
        cases.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return cases;
    }

    // ------------------------------------------------------------------------------------------------ one case

    /**
     * Segments one case file with {@code session}, writes its {@code segs} npz to the output folder (atomically,
     * under the case's file name) and scores it against the ground-truth file of the same name when a ground-truth
     * folder was given. {@link #run} calls this for each case; {@code medsam batch} calls it from Spark tasks.
     * Safe to call from several threads at once for different cases (the session is thread-safe).
     *
     * @throws IOException if the case or its ground truth cannot be read or is malformed (the message names the
     *                     file and array), or the output cannot be written
     */
    public CaseResult runCase(SegmentationSession session, Path file) throws IOException {
        return runCase(session, file, PropagationListener.NONE);
    }

    /** {@link #runCase(SegmentationSession, Path)}, telling {@code progress} about each slice of a 3D case. */
    public CaseResult runCase(SegmentationSession session, Path file, PropagationListener progress)
            throws IOException {
        Objects.requireNonNull(file, "case file");
        String name = file.getFileName().toString();
        return runCase(session, file, progress, out.resolve(name), groundTruth.map(g -> g.resolve(name)).orElse(null));
    }

    /**
     * One case file segmented as {@link #runCase(SegmentationSession, Path)} does, with its output and ground-truth
     * files named by the caller rather than derived from the folders ({@code medsam batch}'s cases tables name them
     * per row): writes {@code segs} (atomically) and scores the case against {@code groundTruth}, an npz with
     * {@code gts} (and, for 3D, {@code spacing}). The builder's folders are not used. Thread-safe as runCase.
     *
     * @throws IOException if the case or its ground truth cannot be read or is malformed, or segs cannot be written
     */
    public CaseResult runCase(SegmentationSession session, Path file, Path segs, Path groundTruth) throws IOException {
        return runCase(session, file, PropagationListener.NONE, Objects.requireNonNull(segs, "segs file"),
                Objects.requireNonNull(groundTruth, "ground-truth file"));
    }

    /**
     * As {@link #runCase(SegmentationSession, Path, Path, Path)} for a case without ground truth: voxels and volume,
     * no scores.
     */
    public CaseResult runUnscoredCase(SegmentationSession session, Path file, Path segs) throws IOException {
        return runCase(session, file, PropagationListener.NONE, Objects.requireNonNull(segs, "segs file"), null);
    }

    /** One case: segs to {@code segs}, scored against {@code gtFile} unless it is null. */
    private CaseResult runCase(SegmentationSession session, Path file, PropagationListener progress, Path segs,
                               Path gtFile) throws IOException {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(file, "case file");
        String name = file.getFileName().toString();
        long start = System.nanoTime();
        MedSamNpz npz = MedSamNpz.read(file);
        NpyArray boxes = npz.boxes().orElseThrow(() -> new MalformedImageException(file, "has no 'boxes' array"));
        boolean volume = npz.isVolume();
        int columns = volume ? 6 : 4;
        int n = boxes.size() == 0 ? 0 : boxes.dim(0);
        if (n > 0 && boxes.dim(1) != columns) {
            throw new MalformedImageException(file, "'boxes' has shape " + Arrays.toString(boxes.shape()) + " but a "
                    + (volume ? "3D" : "2D") + " case needs (N, " + columns + ")");
        }
        double[] rows = boxes.toDoubleArray();
        MedicalImage image = npz.image(spacingOrder);
        MedicalImage labels;
        try {
            labels = volume ? segmentVolume(session, name, image, rows, n, progress) : segmentImage(session, name, image, rows, n);
        } catch (IllegalArgumentException e) {
            throw new MalformedImageException(file, e.getMessage());
        }
        MedSamNpz.writeSegs(segs, labels);
        Duration runTime = Duration.ofNanos(System.nanoTime() - start);
        return gtFile == null ? unscored(name, volume, n, labels, npz, runTime)
                : score(name, volume, n, labels, npz, runTime, gtFile);
    }

    private MedicalImage segmentVolume(SegmentationSession session, String name, MedicalImage image, double[] rows,
                                       int n, PropagationListener progress) {
        if (n == 0) {
            return emptyLabels(image, image.dims());
        }
        List<VolumePrompt> prompts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            try {
                prompts.add(VolumePrompt.ofBox3d(Arrays.copyOfRange(rows, 6 * i, 6 * i + 6)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'boxes' row " + i + ": " + e.getMessage(), e);
            }
        }
        PropagationOptions options = propagation.toBuilder().preset(presetFor(name, image)).build();
        return VolumeSegmenter.of(session).segment(image, prompts, options, progress, new CancellationToken())
                .labels();
    }

    private MedicalImage segmentImage(SegmentationSession session, String name, MedicalImage image, double[] rows, int n) {
        int w = image.width();
        int h = image.height();
        if (n == 0) {
            return emptyLabels(image, new int[] {w, h});
        }
        List<Prompts> prompts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            try {
                prompts.add(Prompts.of(new Box(rows[4 * i], rows[4 * i + 1], rows[4 * i + 2], rows[4 * i + 3])));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'boxes' row " + i + ": " + e.getMessage(), e);
            }
        }
        EncodedImage encoded = session.encode(image, presetFor(name, image));
        return labelsInPromptOrder(session.segment(encoded, prompts, false), image);
    }

    /**
     * The label map of a 2D case as the reference builds {@code segs}: {@code segs[mask > 0] = i + 1} for the masks
     * in prompt (box) order, so later objects overwrite earlier ones; uint8, or uint16 for more than 255 objects;
     * on {@code plane}'s grid (its affine, no modality). Also what medsam-spark writes for a table case's 2D image.
     *
     * @param masks one segmentation per object, each of {@code plane}'s size
     * @param plane the 2D image the masks were made on
     * @throws IllegalArgumentException if a mask's size differs from the plane's
     */
    public static MedicalImage labelsInPromptOrder(List<Segmentation> masks, MedicalImage plane) {
        Objects.requireNonNull(masks, "masks");
        Objects.requireNonNull(plane, "plane");
        int w = plane.width();
        int h = plane.height();
        int n = masks.size();
        boolean wide = n > 0xFF;
        ByteBuffer data = ByteBuffer.allocate(Math.multiplyExact(Math.multiplyExact(w, h), wide ? 2 : 1)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            BinaryMask m = masks.get(i).binary();
            if (m.width() != w || m.height() != h) {
                throw new IllegalArgumentException("mask " + i + " is " + m.width() + " x " + m.height()
                        + " but the image is " + w + " x " + h);
            }
            ByteBuffer bits = m.buffer();
            for (int p = 0; p < w * h; p++) {
                if (bits.get(p) != 0) {
                    if (wide) {
                        data.putShort(2 * p, (short) (i + 1));
                    } else {
                        data.put(p, (byte) (i + 1));
                    }
                }
            }
        }
        return MedicalImage.builder(wide ? DataType.UINT16 : DataType.UINT8, w, h)
                .affine(plane.affine(CoordinateSystem.LPS)).data(data).build();
    }

    private static MedicalImage emptyLabels(MedicalImage image, int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return MedicalImage.builder(DataType.UINT8, dims).affine(image.affine(CoordinateSystem.LPS))
                .data(ByteBuffer.allocate(Math.toIntExact(n))).build();
    }

    /** 8-bit images as they are; else the configured preset, else a CT window for CT-named cases, else percentiles. */
    IntensityPreset presetFor(String name, MedicalImage image) {
        if (image.dataType() == DataType.UINT8) {
            return IntensityPreset.asIs();
        }
        if (preset.isPresent()) {
            return preset.get();
        }
        for (String part : name.replaceFirst("\\.npz$", "").split("[_\\-.]")) {
            if (part.equalsIgnoreCase("CT")) {
                return IntensityPreset.ctWindow("soft-tissue");
            }
        }
        return IntensityPreset.percentile();
    }

    // ------------------------------------------------------------------------------------------------ scoring

    private CaseResult score(String name, boolean volume, int objects, MedicalImage labels, MedSamNpz imageNpz,
                             Duration runTime, Path gtFile) throws IOException {
        Map<String, NpyArray> gtArrays = Npz.read(gtFile);
        NpyArray gts = gtArrays.get("gts");
        if (gts == null) {
            throw new MalformedImageException(gtFile, "has no 'gts' array (it has " + gtArrays.keySet() + ")");
        }
        int[] segShape = NpyArray.of(labels).shape();
        if (!Arrays.equals(gts.shape(), segShape)) {
            throw new MalformedImageException(gtFile, "'gts' has shape " + Arrays.toString(gts.shape())
                    + " but the case's labels have shape " + Arrays.toString(segShape));
        }
        double[] spacing;
        int[] dims;
        if (volume) {
            spacing = spacingXyz(gtFile, gtArrays.get("spacing"))
                    .or(() -> imageNpz.spacing(spacingOrder))
                    .orElse(new double[] {1, 1, 1});
            dims = labels.dims();
        } else {
            // the reference scores 2D cases as one-slice volumes with spacing 1
            spacing = new double[] {1, 1, 1};
            dims = new int[] {labels.width(), labels.height(), 1};
        }
        MedicalImage predImage = onGrid(labels.dataType(), dims, spacing, labels.data());
        MedicalImage gtRaw = gts.toMedicalImage();
        MedicalImage gtImage = onGrid(gtRaw.dataType(), dims, spacing, gtRaw.data());
        LabelVolume pred = LabelVolume.from(predImage);
        LabelVolume gt;
        try {
            gt = LabelVolume.from(gtImage);
        } catch (IllegalArgumentException e) {
            throw new MalformedImageException(gtFile, "'gts' is not a label map: " + e.getMessage());
        }
        ChallengeMetrics.Scores s = ChallengeMetrics.score(gt, pred, toleranceMm);
        long predVoxels = nonZero(predImage);
        long gtVoxels = nonZero(gtImage);
        double voxelMl = spacing[0] * spacing[1] * spacing[2] / 1000;
        return new CaseResult(name, volume, objects, s.dsc(), s.nsd(), predVoxels, gtVoxels,
                volume ? predVoxels * voxelMl : Double.NaN, volume ? gtVoxels * voxelMl : Double.NaN, runTime);
    }

    /** Voxels and volume of the prediction alone (spacing from the image npz, as when its ground truth has none). */
    private CaseResult unscored(String name, boolean volume, int objects, MedicalImage labels, MedSamNpz imageNpz,
                                Duration runTime) {
        long predVoxels = nonZero(labels);
        double[] spacing = volume ? imageNpz.spacing(spacingOrder).orElse(new double[] {1, 1, 1}) : new double[] {1, 1, 1};
        double voxelMl = spacing[0] * spacing[1] * spacing[2] / 1000;
        return new CaseResult(name, volume, objects, Double.NaN, Double.NaN, predVoxels, 0,
                volume ? predVoxels * voxelMl : Double.NaN, Double.NaN, runTime);
    }

    private Optional<double[]> spacingXyz(Path file, NpyArray spacing) {
        if (spacing == null) {
            return Optional.empty();
        }
        double[] s = spacing.toDoubleArray();
        if (spacing.rank() != 1 || s.length != 3) {
            LOG.log(System.Logger.Level.WARNING, file + ": 'spacing' has shape " + Arrays.toString(spacing.shape())
                    + "; expected 3 values, using the image's spacing");
            return Optional.empty();
        }
        for (double v : s) {
            if (!(v > 0) || !Double.isFinite(v)) {
                LOG.log(System.Logger.Level.WARNING, file + ": 'spacing' " + Arrays.toString(s)
                        + " is not all positive; using the image's spacing");
                return Optional.empty();
            }
        }
        return Optional.of(spacingOrder == SpacingOrder.XYZ ? s : new double[] {s[2], s[1], s[0]});
    }

    private static MedicalImage onGrid(DataType type, int[] dims, double[] spacing, ByteBuffer data) {
        return MedicalImage.builder(type, dims)
                .affine(Affine.ofSpacing(CoordinateSystem.LPS, spacing, new double[3])).data(data).build();
    }

    private static long nonZero(MedicalImage image) {
        long n = 0;
        if (image.dataType() == DataType.UINT8) {
            ByteBuffer b = image.data();
            while (b.hasRemaining()) {
                n += b.get() != 0 ? 1 : 0;
            }
            return n;
        }
        for (long i = 0; i < image.valueCount(); i++) {
            n += image.get(i) != 0 ? 1 : 0;
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------ output

    /** Writes the CSV atomically (temporary file beside it, then a move). */
    private static void writeCsv(Path csv, List<CaseResult> results) throws IOException {
        AtomicFiles.write(csv, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write("case,dsc,nsd,pred_voxels,gt_voxels,pred_volume_ml,gt_volume_ml,seconds\n");
            for (CaseResult r : results) {
                w.write(String.join(",", csvField(r.name()), fixed(r.dsc(), 4), fixed(r.nsd(), 4),
                        Long.toString(r.predVoxels()), Long.toString(r.gtVoxels()), fixed(r.predVolumeMl(), 4),
                        fixed(r.gtVolumeMl(), 4), fixed(r.runTime().toNanos() / 1e9, 3)));
                w.write('\n');
            }
            w.flush();
        });
    }

    /** Rounded as the reference's {@code np.round(x, 4)}; NaN as an empty field, as pandas writes it. */
    private static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** Settings of a {@link ChallengeEvaluation}. */
    public static final class Builder {
        private final Path images;
        private final Optional<Path> groundTruth;
        private final Path out;
        private SpacingOrder spacingOrder = SpacingOrder.ARRAY_ORDER;
        private double toleranceMm = ChallengeMetrics.TOLERANCE_MM;
        private PropagationOptions propagation = PropagationOptions.defaults();
        private Optional<IntensityPreset> preset = Optional.empty();
        private Listener listener = new Listener() { };

        private Builder(Path images, Optional<Path> groundTruth, Path out) {
            this.images = images;
            this.groundTruth = groundTruth;
            this.out = out;
        }

        /** How the npz {@code spacing} arrays are ordered (default: array order, as the reference reads them). */
        public Builder spacingOrder(SpacingOrder order) {
            this.spacingOrder = Objects.requireNonNull(order, "spacing order");
            return this;
        }

        /**
         * The NSD tolerance in mm (pixels for 2D cases); default 2.
         *
         * @throws IllegalArgumentException if negative or not finite
         */
        public Builder toleranceMm(double mm) {
            this.toleranceMm = ChallengeMetrics.checkToleranceMm(mm);
            return this;
        }

        /** Propagation settings for 3D cases (margin, extension); their preset is replaced per case. */
        public Builder propagation(PropagationOptions options) {
            this.propagation = Objects.requireNonNull(options, "propagation options");
            return this;
        }

        /** The preset for cases whose images are not 8-bit (default: by the case name, see the class comment). */
        public Builder preset(IntensityPreset preset) {
            this.preset = Optional.of(Objects.requireNonNull(preset, "preset"));
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public ChallengeEvaluation build() {
            return new ChallengeEvaluation(this);
        }
    }
}
