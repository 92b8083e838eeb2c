package dev.medsam.spark;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link BatchJob} did.
 *
 * @param rows    every result row, sorted by case id then label
 * @param csv     the results table as CSV
 * @param parquet the results table as a Parquet folder (Spark's layout: one part file)
 */
public record BatchReport(List<CaseRow> rows, Path csv, Path parquet) {

    public BatchReport {
        rows = List.copyOf(rows);
        Objects.requireNonNull(csv, "csv");
        Objects.requireNonNull(parquet, "parquet");
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
