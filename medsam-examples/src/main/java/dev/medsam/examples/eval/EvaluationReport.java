package dev.medsam.examples.eval;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The result of a {@link ChallengeEvaluation}: every case, sorted by name, and where the CSV went.
 *
 * @param cases the cases, sorted by name
 * @param csv   the per-case CSV that was written
 */
public record EvaluationReport(List<CaseResult> cases, Path csv) {

    public EvaluationReport {
        cases = List.copyOf(cases);
        Objects.requireNonNull(csv, "csv");
    }

    /** Mean of a column over the cases where it is defined (NaN skipped, as pandas does); NaN if none is. */
    public static double mean(List<CaseResult> cases, ToDoubleFunction<CaseResult> column) {
        double[] v = defined(cases, column);
        return v.length == 0 ? Double.NaN : Arrays.stream(v).sum() / v.length;
    }

    /** Median of a column over the cases where it is defined (NaN skipped); NaN if none is. */
    public static double median(List<CaseResult> cases, ToDoubleFunction<CaseResult> column) {
        double[] v = defined(cases, column);
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    private static double[] defined(List<CaseResult> cases, ToDoubleFunction<CaseResult> column) {
        return cases.stream().mapToDouble(column).filter(d -> !Double.isNaN(d)).toArray();
    }

    /** The summary table: mean and median of DSC, NSD and run time, over all cases and per kind (3D, 2D). */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-8s %6s %8s %8s %8s %8s %10s %10s%n", "cases", "n", "DSC mean",
                "DSC med", "NSD mean", "NSD med", "s mean", "s median"));
        row(sb, "all", cases);
        List<CaseResult> volumes = cases.stream().filter(CaseResult::volume).toList();
        List<CaseResult> images = cases.stream().filter(c -> !c.volume()).toList();
        if (!volumes.isEmpty() && !images.isEmpty()) {
            row(sb, "3D", volumes);
            row(sb, "2D", images);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, List<CaseResult> c) {
        ToDoubleFunction<CaseResult> seconds = r -> r.runTime().toNanos() / 1e9;
        sb.append(String.format(Locale.ROOT, "%-8s %6d %8.4f %8.4f %8.4f %8.4f %10.3f %10.3f%n", name, c.size(),
                mean(c, CaseResult::dsc), median(c, CaseResult::dsc), mean(c, CaseResult::nsd),
                median(c, CaseResult::nsd), mean(c, seconds), median(c, seconds)));
    }
}
