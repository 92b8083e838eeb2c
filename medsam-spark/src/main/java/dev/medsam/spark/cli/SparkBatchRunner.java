package dev.medsam.spark.cli;

import dev.medsam.examples.batch.BatchRequest;
import dev.medsam.examples.batch.BatchRunner;
import dev.medsam.spark.BatchJob;
import dev.medsam.spark.BatchReport;
import dev.medsam.spark.CaseRow;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code medsam batch} (options and checks in medsam-examples' BatchCommand): runs the {@link BatchJob} in a Spark
 * session of its own (local mode unless spark-submit or {@code --master} says otherwise), or in the JVM's session when
 * it already has one (a notebook, a test), which then stays open. Found with {@link java.util.ServiceLoader}.
 */
public final class SparkBatchRunner implements BatchRunner {

    /** For ServiceLoader. */
    public SparkBatchRunner() {
    }

    @Override
    public int run(BatchRequest request, PrintWriter out, PrintWriter err) throws IOException {
        BatchJob.Builder b;
        // a sealed hierarchy, but Java 17 has no pattern switch: every kind is named, the last one by elimination
        if (request.input() instanceof BatchRequest.ScoredChallengeFolder c) {
            b = BatchJob.challenge(c.images(), request.checkpoint(), request.out()).groundTruth(c.groundTruth());
        } else if (request.input() instanceof BatchRequest.ChallengeFolder c) {
            b = BatchJob.challenge(c.images(), request.checkpoint(), request.out());
        } else {
            b = BatchJob.cases(((BatchRequest.CasesTable) request.input()).table(), request.checkpoint(), request.out());
        }
        b.partitions(request.partitions()).threads(request.threads()).precision(request.precision())
                .toleranceMm(request.toleranceMm()).spacingOrder(request.spacingOrder());

        boolean own = SparkSession.getDefaultSession().isEmpty();
        SparkSession.Builder builder = SparkSession.builder().appName("medsam batch")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.log.level", "WARN");
        if (!request.master().isEmpty()) {
            builder.master(request.master());
        } else if (System.getProperty("spark.master") == null) {
            builder.master("local[*]"); // spark-submit sets spark.master; the ordinary launcher does not
        }
        SparkSession spark = builder.getOrCreate();
        BatchReport report;
        try {
            report = b.build().run(spark);
        } finally {
            if (own) {
                spark.stop();
            }
        }
        out.printf(Locale.ROOT, "%d cases: %d segmented, %d reused from an earlier run, %d failed%n",
                report.cases().size(), report.count(CaseRow.OK), report.count(CaseRow.REUSED),
                report.count(CaseRow.FAILED));
        for (CaseRow r : report.cases()) {
            if (r.status().equals(CaseRow.FAILED)) {
                out.println("  failed: " + r.caseId() + ": " + r.error());
            }
        }
        out.println("wrote " + report.csv() + " and " + report.parquet());
        out.flush();
        long failed = report.count(CaseRow.FAILED);
        if (failed > 0) {
            // the job completed, but a script must still notice that some cases have no result
            err.println("medsam batch: " + failed + " of " + report.cases().size()
                    + " cases failed (their errors are in " + report.csv().getFileName() + "); a rerun retries them");
            err.flush();
            return 1;
        }
        return 0;
    }
}
