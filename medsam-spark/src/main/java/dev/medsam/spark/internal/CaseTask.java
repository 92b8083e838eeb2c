package dev.medsam.spark.internal;

import dev.medsam.spark.CaseRow;
import org.apache.spark.api.java.function.FlatMapFunction;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The Spark task: runs a partition's cases one after another with the executor's shared model
 * ({@link ModelHolder}). Only {@link JobSettings} is serialised with it.
 */
public final class CaseTask implements FlatMapFunction<Iterator<CaseSpec>, CaseRow> {

    private static final long serialVersionUID = 1L;

    private final JobSettings settings;

    public CaseTask(JobSettings settings) {
        this.settings = settings;
    }

    @Override
    public Iterator<CaseRow> call(Iterator<CaseSpec> cases) {
        List<CaseRow> rows = new ArrayList<>();
        while (cases.hasNext()) {
            rows.addAll(CaseProcessor.process(settings, cases.next()));
        }
        return rows.iterator();
    }
}
