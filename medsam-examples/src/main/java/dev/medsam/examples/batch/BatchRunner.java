package dev.medsam.examples.batch;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * Runs {@code medsam batch}: implemented by medsam-spark and found with {@link java.util.ServiceLoader}, so that the
 * command line lists, explains and checks {@code batch} without depending on Spark. When no implementation is on the
 * class path, {@code medsam batch} starts a JVM that has medsam-spark's jars.
 */
public interface BatchRunner {

    /**
     * Runs the job and prints a summary to {@code out}; a line about failed cases goes to {@code err}.
     *
     * @return the exit code: 0 when every case was segmented (or reused), 1 when some case failed (every result is
     *         written all the same)
     * @throws IOException if the checkpoint, input or output folder cannot be used (the message names it)
     */
    int run(BatchRequest request, PrintWriter out, PrintWriter err) throws IOException;
}
