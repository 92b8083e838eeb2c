package dev.medsam.spark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a {@link BatchJob} did.
 *
 * @param rows    every result row, sorted by case id then label
 * @param csv     the results table as CSV
 * @param parquet the results table as a Parquet folder (Spark's layout: one part file)
 * @param timings where the run's wall-clock time went
 */
public record BatchReport(List<CaseRow> rows, Path csv, Path parquet, Timings timings) {

    public BatchReport {
        rows = List.copyOf(rows);
        Objects.requireNonNull(csv, "csv");
        Objects.requireNonNull(parquet, "parquet");
        Objects.requireNonNull(timings, "timings");
    }

    /**
     * Wall-clock time of a run's phases, on the driver.
     *
     * @param listing the checks and listing the cases (the folder or the table)
     * @param cases   the Spark job that segments the cases, from submitting it to the last result row
     * @param results writing results.csv and results.parquet
     * @param tasks   the number of Spark tasks (partitions) the cases ran in
     */
    public record Timings(Duration listing, Duration cases, Duration results, int tasks) {
        public Timings {
            Objects.requireNonNull(listing, "listing");
            Objects.requireNonNull(cases, "cases");
            Objects.requireNonNull(results, "results");
            if (tasks < 1) {
                throw new IllegalArgumentException("a run has at least one task, got " + tasks);
            }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "listing %.0f ms, cases %.0f ms (%d tasks), results tables %.0f ms",
                    listing.toNanos() / 1e6, cases.toNanos() / 1e6, tasks, results.toNanos() / 1e6);
        }
    }

    /** Cases (label-0 rows) with the given status ({@link CaseRow#OK}, {@link CaseRow#REUSED}, {@link CaseRow#FAILED}). */
    public long count(String status) {
        return rows.stream().filter(r -> r.label() == 0 && r.status().equals(status)).count();
    }

    /** The whole-case rows (label 0), one per case. */
    public List<CaseRow> cases() {
        return rows.stream().filter(r -> r.label() == 0).toList();
    }
}
