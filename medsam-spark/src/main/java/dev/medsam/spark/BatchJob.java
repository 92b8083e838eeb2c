package dev.medsam.spark;

import dev.medsam.examples.eval.ChallengeEvaluation;
import dev.medsam.examples.eval.ChallengeMetrics;
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.numpy.SpacingOrder;
import dev.medsam.spark.internal.CaseSpec;
import dev.medsam.spark.internal.CaseTask;
import dev.medsam.spark.internal.JobSettings;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Segments many cases on Apache Spark: a challenge folder (every {@code .npz}, boxes from the file, exactly as
 * {@code medsam eval} runs a case) or a table of cases (CSV with a header, or Parquet) with columns {@code case},
 * {@code image}, {@code prompts} (JSON, see below) and optionally {@code gt}.
 *
 * <h2>Outputs (in the output folder)</h2>
 * <ul>
 *   <li>challenge cases: {@code <case>.npz} with {@code segs}, as {@code medsam eval} writes it; table cases:
 *       {@code <case>.nii.gz} with labels 1..N on the image's grid, or {@code <case>.npz} with {@code segs} when the
 *       image is a challenge npz ({@code imgs} and {@code boxes}; its own boxes when the prompts cell is empty);</li>
 *   <li>{@code results.csv} and {@code results.parquet}: {@code case, label, voxels, volume_ml, dsc, nsd, seconds,
 *       status, error} (see {@link CaseRow});</li>
 *   <li>{@code .medsam-batch/}: one completion marker per case; a rerun reuses cases whose mask and marker exist
 *       (for the same checkpoint and settings) and recomputes the others, failed ones included.</li>
 * </ul>
 *
 * <h2>Table prompts</h2>
 * A JSON array, one object per label: {@code {"box": [x0, y0, x1, y1]}} and/or
 * {@code {"points": [[x, y, 1], ...]}} (1 foreground, 0 background) for 2D images, {@code {"box3d": [x0, y0, z0,
 * x1, y1, z1]}} (z1 inclusive) for volumes; pixel coordinates. Relative image and ground-truth paths are resolved
 * against the table's folder.
 *
 * <h2>Execution</h2>
 * The driver lists the cases and hands them to tasks; each executor JVM loads the model once, on its first case, and
 * its tasks share it, and with it one intra-op thread pool ({@link Builder#threads}, by default the executor's
 * cores). Each case is a task of its own (up to four per task slot, {@link Builder#partitions}). Embeddings never
 * leave the executor; only case descriptions go out and result rows come back. A case that fails becomes a
 * {@code failed} row with its error and the others go on. Results do not depend on the partitioning: each case is
 * computed on its own. Paths (checkpoint, images, output folder) must be readable (and the output folder writable)
 * under the same names on every executor, e.g. on shared storage.
 *
 * <p>Not thread-safe to configure; {@link #run} may be called again (a rerun).
 */
public final class BatchJob {

    private static final System.Logger LOG = System.getLogger(BatchJob.class.getName());

    /** File name of the CSV results table in the output folder. */
    public static final String CSV_NAME = "results.csv";
    /** Folder name of the Parquet results table in the output folder. */
    public static final String PARQUET_NAME = "results.parquet";

    private final Builder b;

    private BatchJob(Builder b) {
        this.b = b;
    }

    /** A job over the challenge folder {@code images} (every {@code .npz}). */
    public static Builder challenge(Path images, Path checkpoint, Path out) {
        return new Builder(Objects.requireNonNull(images, "images folder"), true, checkpoint, out);
    }

    /** A job over the cases table {@code table} ({@code .csv} with a header, or {@code .parquet}). */
    public static Builder cases(Path table, Path checkpoint, Path out) {
        return new Builder(Objects.requireNonNull(table, "cases table"), false, checkpoint, out);
    }

    /**
     * Runs the job on {@code spark} (which stays open) and writes the outputs.
     *
     * @throws IOException              if the checkpoint, the folder or the table cannot be read, or the results
     *                                  cannot be written
     * @throws IllegalArgumentException if there are no cases, a table column is missing, a case id repeats or is
     *                                  not a plain file name, or a row has no image
     */
    public BatchReport run(SparkSession spark) throws IOException {
        Objects.requireNonNull(spark, "spark");
        long t0 = System.nanoTime();
        if (!Files.isRegularFile(b.checkpoint)) {
            throw new IOException(b.checkpoint + ": no such checkpoint file");
        }
        List<CaseSpec> specs = b.challenge ? challengeCases() : tableCases(spark);
        if (specs.isEmpty()) {
            throw new IllegalArgumentException(b.input + " has no cases");
        }
        Files.createDirectories(b.out);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int threads = b.threads > 0 ? b.threads : executorCores(spark, sc);
        JobSettings settings = new JobSettings(b.checkpoint.toAbsolutePath().toString(), threads, b.precision,
                b.out.toAbsolutePath().toString(), b.groundTruth.map(p -> p.toAbsolutePath().toString()).orElse(""),
                b.toleranceMm, b.spacingOrder.name(), fingerprint());
        int partitions = b.partitions > 0 ? b.partitions : defaultPartitions(specs.size(), sc.defaultParallelism());
        LOG.log(System.Logger.Level.INFO, () -> specs.size() + " cases in " + partitions + " partitions, " + threads
                + " intra-op threads per executor model");
        long t1 = System.nanoTime();
        List<CaseRow> rows = new ArrayList<>(sc.parallelize(specs, partitions).mapPartitions(new CaseTask(settings))
                .collect());
        long t2 = System.nanoTime();
        rows.sort(Comparator.comparing(CaseRow::caseId).thenComparingInt(CaseRow::label));
        Path csv = b.out.resolve(CSV_NAME);
        writeCsv(csv, rows);
        Path parquet = b.out.resolve(PARQUET_NAME);
        writeParquet(spark, parquet, rows);
        long t3 = System.nanoTime();
        // where a run's time goes beyond the cases themselves (BatchBenchmark prints these)
        BatchReport.Timings timings = new BatchReport.Timings(Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1),
                Duration.ofNanos(t3 - t2), partitions);
        LOG.log(System.Logger.Level.INFO, () -> "batch timings: " + timings);
        return new BatchReport(rows, csv, parquet, timings);
    }

    /**
     * One task per case up to four per slot: Spark hands tasks to whichever slot is free, so cases of uneven length
     * do not leave a slot idle at the end behind a partition that still holds several cases (as one partition per
     * slot would); past four per slot, more tasks only add scheduling.
     */
    static int defaultPartitions(int cases, int slots) {
        return Math.max(1, Math.min(cases, 4 * Math.max(1, slots)));
    }

    /** The executor's cores: spark.executor.cores when set, else (local mode) the local thread count. */
    private static int executorCores(SparkSession spark, JavaSparkContext sc) {
        Optional<String> cores = Optional.ofNullable(spark.conf().get("spark.executor.cores", null));
        if (cores.isPresent()) {
            try {
                return Math.max(1, Integer.parseInt(cores.get().trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("spark.executor.cores is not a number: " + cores.get(), e);
            }
        }
        return sc.isLocal() ? Math.max(1, sc.defaultParallelism()) : 0;
    }

    /** Changes when the model or anything that changes a case's result changes; a rerun then recomputes all. */
    private String fingerprint() throws IOException {
        Path cp = b.checkpoint.toAbsolutePath();
        return String.join("|", cp.toString(), Long.toString(Files.size(cp)),
                Long.toString(Files.getLastModifiedTime(cp).toMillis()), b.precision, Double.toString(b.toleranceMm),
                b.spacingOrder.name(), b.groundTruth.map(p -> p.toAbsolutePath().toString()).orElse(""));
    }

    private List<CaseSpec> challengeCases() throws IOException {
        ChallengeEvaluation.Builder eval = b.groundTruth.isPresent()
                ? ChallengeEvaluation.builder(b.input, b.groundTruth.get(), b.out)
                : ChallengeEvaluation.builderWithoutGroundTruth(b.input, b.out);
        List<CaseSpec> specs = new ArrayList<>();
        // the same listing as medsam eval's (sorted *.npz); a case without ground truth fails alone, later
        for (Path p : eval.build().listCases()) {
            specs.add(new CaseSpec(p.getFileName().toString(), p.toAbsolutePath().toString(), "", "", true));
        }
        return specs;
    }

    private List<CaseSpec> tableCases(SparkSession spark) throws IOException {
        Path table = b.input;
        if (!Files.exists(table)) {
            throw new IOException(table + ": no such cases table");
        }
        String name = table.getFileName().toString().toLowerCase(Locale.ROOT);
        Dataset<Row> df;
        if (name.endsWith(".csv")) {
            df = spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"")
                    .csv(table.toAbsolutePath().toString());
        } else if (name.endsWith(".parquet")) {
            df = spark.read().parquet(table.toAbsolutePath().toString());
        } else {
            throw new IllegalArgumentException(table + ": a cases table must be .csv (with a header) or .parquet");
        }
        List<String> columns = Arrays.asList(df.columns());
        for (String required : List.of("case", "image", "prompts")) {
            if (!columns.contains(required)) {
                throw new IllegalArgumentException(table + ": has no column '" + required + "' (it has " + columns
                        + "; needed: case, image, prompts, and optionally gt)");
            }
        }
        boolean hasGt = columns.contains("gt");
        Path base = table.toAbsolutePath().getParent();
        List<CaseSpec> specs = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<Row> rows = df.collectAsList();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            String where = table + " row " + (i + 1);
            String id = text(r, "case");
            if (id.isEmpty() || id.equals(".") || id.equals("..") || id.contains("/") || id.contains("\\")
                    || id.startsWith(".")) {
                throw new IllegalArgumentException(where + ": case id '" + id
                        + "' must be a plain file name (no slash, not starting with a dot)");
            }
            if (!ids.add(id)) {
                throw new IllegalArgumentException(where + ": case id '" + id + "' repeats");
            }
            String image = text(r, "image");
            if (image.isEmpty()) {
                throw new IllegalArgumentException(where + " (case " + id + "): no image path");
            }
            String gt = hasGt ? text(r, "gt") : "";
            specs.add(new CaseSpec(id, base.resolve(image).toString(), text(r, "prompts"),
                    gt.isEmpty() ? "" : base.resolve(gt).toString(), false));
        }
        return specs;
    }

    private static String text(Row r, String column) {
        Object v = r.get(r.fieldIndex(column));
        return v == null ? "" : v.toString().trim();
    }

    // ------------------------------------------------------------------------------------------------ results

    private static void writeCsv(Path csv, List<CaseRow> rows) throws IOException {
        AtomicFiles.write(csv, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write("case,label,voxels,volume_ml,dsc,nsd,seconds,status,error\n");
            for (CaseRow r : rows) {
                w.write(String.join(",", csvField(r.caseId()), Integer.toString(r.label()),
                        r.voxels() < 0 ? "" : Long.toString(r.voxels()), fixed(r.volumeMl(), 4), fixed(r.dsc(), 4),
                        fixed(r.nsd(), 4), fixed(r.seconds(), 3), r.status(), csvField(r.error())));
                w.write('\n');
            }
            w.flush();
        });
    }

    /** Rounded as {@code medsam eval}'s CSV; NaN as an empty field. */
    private static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String csvField(String s) {
        String oneLine = s.replace("\r", " ").replace("\n", " ");
        return oneLine.contains(",") || oneLine.contains("\"") ? "\"" + oneLine.replace("\"", "\"\"") + "\"" : oneLine;
    }

    /**
     * Spark writes a Parquet table as a folder; it is written under a hidden name and moved into place, so that the
     * folder under the real name is always complete (an old one is replaced only once the new one is written).
     */
    private static void writeParquet(SparkSession spark, Path parquet, List<CaseRow> rows) throws IOException {
        StructType schema = new StructType()
                .add("case", DataTypes.StringType, false)
                .add("label", DataTypes.IntegerType, false)
                .add("voxels", DataTypes.LongType, true)
                .add("volume_ml", DataTypes.DoubleType, true)
                .add("dsc", DataTypes.DoubleType, true)
                .add("nsd", DataTypes.DoubleType, true)
                .add("seconds", DataTypes.DoubleType, false)
                .add("status", DataTypes.StringType, false)
                .add("error", DataTypes.StringType, true);
        List<Row> data = new ArrayList<>(rows.size());
        for (CaseRow r : rows) {
            data.add(RowFactory.create(r.caseId(), r.label(), r.voxels() < 0 ? null : r.voxels(), nullIfNaN(r.volumeMl()),
                    nullIfNaN(r.dsc()), nullIfNaN(r.nsd()), r.seconds(), r.status(),
                    r.error().isEmpty() ? null : r.error()));
        }
        Path staging = parquet.resolveSibling("." + parquet.getFileName() + "." + UUID.randomUUID() + ".tmp");
        Path old = parquet.resolveSibling("." + parquet.getFileName() + "." + UUID.randomUUID() + ".old");
        try {
            spark.createDataFrame(data, schema).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                    .parquet(staging.toAbsolutePath().toString());
            if (Files.exists(parquet)) {
                Files.move(parquet, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, parquet, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(staging);
            deleteTree(old);
        }
    }

    private static Double nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Settings of a {@link BatchJob}. */
    public static final class Builder {
        private final Path input;
        private final boolean challenge;
        private final Path checkpoint;
        private final Path out;
        private Optional<Path> groundTruth = Optional.empty();
        private int threads;
        private String precision = "fp32";
        private int partitions;
        private double toleranceMm = ChallengeMetrics.TOLERANCE_MM;
        private SpacingOrder spacingOrder = SpacingOrder.ARRAY_ORDER;

        private Builder(Path input, boolean challenge, Path checkpoint, Path out) {
            this.input = input;
            this.challenge = challenge;
            this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
            this.out = Objects.requireNonNull(out, "output folder");
        }

        /**
         * Challenge mode: the folder of ground-truth npz files ({@code gts}, same names); cases are then scored
         * as {@code medsam eval} scores them. (Table cases name their ground truth in the {@code gt} column.)
         *
         * @throws IllegalArgumentException for a cases-table job
         */
        public Builder groundTruth(Path folder) {
            if (!challenge) {
                throw new IllegalArgumentException("a cases table names each case's ground truth in its gt column;"
                        + " a ground-truth folder is for challenge folders");
            }
            this.groundTruth = Optional.of(Objects.requireNonNull(folder, "ground-truth folder"));
            return this;
        }

        /** Intra-op threads of each executor's model; 0 (default): the executor's cores. */
        public Builder threads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be 0 (the executor's cores) or positive, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** The TensorFlow backend's precision, {@code fp32} (default) or {@code bf16}. */
        public Builder precision(String precision) {
            Objects.requireNonNull(precision, "precision");
            if (!precision.equals("fp32") && !precision.equals("bf16")) {
                throw new IllegalArgumentException("precision must be fp32 or bf16, got " + precision);
            }
            this.precision = precision;
            return this;
        }

        /** Number of Spark partitions; 0 (default): one per case, at most four per task slot (default parallelism). */
        public Builder partitions(int partitions) {
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be 0 (Spark's default) or positive, got " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /** The NSD tolerance in mm (pixels for 2D cases); default 2, the challenge's. */
        public Builder toleranceMm(double mm) {
            this.toleranceMm = ChallengeMetrics.checkToleranceMm(mm);
            return this;
        }

        /** Challenge mode: how the npz {@code spacing} arrays are ordered (default: array order, as eval). */
        public Builder spacingOrder(SpacingOrder order) {
            this.spacingOrder = Objects.requireNonNull(order, "spacing order");
            return this;
        }

        public BatchJob build() {
            return new BatchJob(this);
        }
    }
}
