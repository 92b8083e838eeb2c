package dev.medsam.spark.cli;

import dev.medsam.io.numpy.SpacingOrder;
import dev.medsam.spark.BatchJob;
import dev.medsam.spark.BatchReport;
import dev.medsam.spark.CaseRow;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code medsam batch}: runs a {@link BatchJob} in a Spark session of its own (local mode by default).
 */
@Command(name = "batch",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Segment many cases with Apache Spark (local mode by default; the same job runs on a cluster with "
                    + "spark-submit, see the README).",
            "--challenge DIR: every <case>.npz of a folder in the CVPR 2024 challenge layout (boxes from the file), "
                    + "written as <case>.npz with segs and scored against --gt as 'medsam eval' does. --cases F: a "
                    + "table (.csv with a header, or .parquet) with columns case, image, prompts (JSON) and "
                    + "optionally gt, written as <case>.nii.gz.",
            "Writes results.csv and results.parquet (case, label, voxels, volume_ml, dsc, nsd, seconds, status, "
                    + "error) to --out. A failed case is recorded, not fatal; a rerun reuses complete cases.",
        })
public final class BatchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final class Input {
        @Option(names = "--cases", required = true, paramLabel = "FILE",
                description = "Cases table: .csv (header: case,image,prompts[,gt]) or .parquet.")
        Path cases;

        @Option(names = "--challenge", required = true, paramLabel = "DIR",
                description = "Folder of challenge case npz files (imgs, boxes).")
        Path challenge;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--gt", paramLabel = "DIR",
            description = "With --challenge: folder of ground-truth npz files (gts), to score the cases.")
    Path groundTruth;

    @Option(names = {"-c", "--checkpoint"}, required = true, paramLabel = "FILE",
            description = "MedSAM checkpoint (.pth); on a cluster a path every executor can read.")
    Path checkpoint;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Output folder (created if needed).")
    Path out;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: spark-submit's --master when run by it, else local[*]: this "
                    + "machine's cores).")
    String master;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
            description = "Spark partitions (default: Spark's default parallelism, at most one per case).")
    int partitions;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Intra-op threads of each executor's model (default: the executor's cores).")
    int threads;

    @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
            description = "Backend precision (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--tolerance-mm", paramLabel = "MM", defaultValue = "2",
            description = "NSD tolerance (default: ${DEFAULT-VALUE} mm; pixels for 2D cases).")
    double toleranceMm;

    @Option(names = "--spacing-order", paramLabel = "array|xyz", defaultValue = "array",
            description = "Order of the challenge npz 'spacing' values, as for 'medsam eval' (default: array).")
    String spacingOrder;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        BatchJob.Builder b;
        try {
            if (input.challenge != null) {
                if (!Files.isDirectory(input.challenge)) {
                    throw new IllegalArgumentException("--challenge " + input.challenge + " is not a folder");
                }
                b = BatchJob.challenge(input.challenge, checkpoint, out);
                if (groundTruth != null) {
                    if (!Files.isDirectory(groundTruth)) {
                        throw new IllegalArgumentException("--gt " + groundTruth + " is not a folder");
                    }
                    b.groundTruth(groundTruth);
                }
            } else {
                if (groundTruth != null) {
                    throw new IllegalArgumentException("--gt goes with --challenge; a cases table has a gt column");
                }
                b = BatchJob.cases(input.cases, checkpoint, out);
            }
            b.partitions(partitions).threads(threads).precision(precision).toleranceMm(toleranceMm);
            b.spacingOrder(switch (spacingOrder.trim().toLowerCase(Locale.ROOT)) {
                case "array" -> SpacingOrder.ARRAY_ORDER;
                case "xyz" -> SpacingOrder.XYZ;
                default -> throw new IllegalArgumentException("--spacing-order must be array or xyz, got " + spacingOrder);
            });
            if (master != null && master.isBlank()) {
                throw new IllegalArgumentException("--master must not be empty");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (!Files.isRegularFile(checkpoint)) {
            throw new IOException(checkpoint + ": no such checkpoint file");
        }

        BatchReport report;
        // a JVM that already has a session (a notebook, a test) keeps it, and it stays open; else ours is stopped
        boolean own = SparkSession.getDefaultSession().isEmpty();
        SparkSession.Builder builder = SparkSession.builder().appName("medsam batch")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.log.level", "WARN");
        if (master != null) {
            builder.master(master);
        } else if (System.getProperty("spark.master") == null) {
            builder.master("local[*]"); // spark-submit sets spark.master; the ordinary launcher does not
        }
        SparkSession spark = builder.getOrCreate();
        try {
            report = b.build().run(spark);
        } finally {
            if (own) {
                spark.stop();
            }
        }
        PrintWriter stdout = cl.getOut();
        stdout.printf(Locale.ROOT, "%d cases: %d segmented, %d reused from an earlier run, %d failed%n",
                report.cases().size(), report.count(CaseRow.OK), report.count(CaseRow.REUSED),
                report.count(CaseRow.FAILED));
        for (CaseRow r : report.cases()) {
            if (r.status().equals(CaseRow.FAILED)) {
                stdout.println("  failed: " + r.caseId() + ": " + r.error());
            }
        }
        stdout.println("wrote " + report.csv() + " and " + report.parquet());
        stdout.flush();
        long failed = report.count(CaseRow.FAILED);
        if (failed > 0) {
            // the job completed, but a script must still notice that some cases have no result
            cl.getErr().println("medsam batch: " + failed + " of " + report.cases().size()
                    + " cases failed (their errors are in " + report.csv().getFileName() + "); a rerun retries them");
            cl.getErr().flush();
            return 1;
        }
        return 0;
    }
}
