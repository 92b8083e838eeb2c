package dev.medsam.examples.cli;

import dev.medsam.examples.batch.BatchRequest;
import dev.medsam.examples.batch.BatchRunner;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * {@code medsam batch}: the options, help and checks of the batch job, here so that {@code medsam --help} lists it
 * without Spark. The job itself is medsam-spark's {@link BatchRunner}; when it is not on the class path (the
 * ordinary launcher keeps Spark's ~300 MB of jars off the other commands), {@link SparkRelaunch} runs the same
 * command line again in a JVM that has them.
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
                    + "optionally gt; each case's labels go to a NIfTI file named after the case, or, when its "
                    + "image is a challenge npz (imgs and boxes; its boxes serve when prompts is empty), to "
                    + "<case>.npz with segs.",
            "Writes results.csv and results.parquet (case, label, voxels, volume_ml, dsc, nsd, seconds, status, "
                    + "error) to --out. A failed case is recorded, not fatal (exit 1 after the others complete); a "
                    + "rerun reuses complete cases.",
            "--threads sets the intra-op threads of each executor's model, one pool shared by its tasks (0: the "
                    + "backend's choice, the executor's cores).",
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
            description = "With --challenge: folder of ground-truth npz files (gts), to score the cases as "
                    + "'medsam eval' does.")
    Path groundTruth;

    @Option(names = {"-c", "--checkpoint"}, required = true, paramLabel = "FILE",
            description = "MedSAM checkpoint (.pth or .safetensors); on a cluster a path every executor can read.")
    Path checkpoint;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Output folder (created if needed).")
    Path out;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: spark-submit's --master when run by it, else local[*]: this "
                    + "machine's cores).")
    String master;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
            description = "Spark partitions (default: one per case, at most four per task slot).")
    int partitions;

    @Mixin
    ComputeOptions compute;

    @Mixin
    NsdToleranceOption tolerance;

    @Mixin
    SpacingOrderOption spacingOrder;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        BatchRequest request;
        try {
            request = request(cl);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (!Files.isRegularFile(checkpoint)) {
            throw new IOException(checkpoint + ": no such checkpoint file");
        }
        Optional<BatchRunner> runner = ServiceLoader.load(BatchRunner.class).findFirst();
        if (runner.isPresent()) {
            return runner.get().run(request, cl.getOut(), cl.getErr());
        }
        // no Spark here: the same arguments again in a JVM with medsam-spark's jars (the child prints for itself)
        cl.getOut().flush();
        cl.getErr().flush();
        return SparkRelaunch.run(spec.root().commandLine().getParseResult().originalArgs());
    }

    /**
     * The parsed options as a request; IllegalArgumentException or ParameterException (both usage errors) for a bad
     * combination or value.
     */
    private BatchRequest request(CommandLine cl) {
        BatchRequest.Input in;
        if (input.challenge != null) {
            if (!Files.isDirectory(input.challenge)) {
                throw new IllegalArgumentException("--challenge " + input.challenge + " is not a folder");
            }
            if (groundTruth != null && !Files.isDirectory(groundTruth)) {
                throw new IllegalArgumentException("--gt " + groundTruth + " is not a folder");
            }
            in = groundTruth == null ? new BatchRequest.ChallengeFolder(input.challenge)
                    : new BatchRequest.ScoredChallengeFolder(input.challenge, groundTruth);
        } else {
            if (groundTruth != null) {
                throw new IllegalArgumentException("--gt goes with --challenge; a cases table has a gt column");
            }
            in = new BatchRequest.CasesTable(input.cases);
        }
        if (master != null && master.isBlank()) {
            throw new IllegalArgumentException("--master must not be empty");
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions must be 0 (Spark's default) or positive, got " + partitions);
        }
        compute.check(cl);
        return new BatchRequest(in, checkpoint, out, master == null ? "" : master.trim(), partitions, compute.threads,
                compute.precision(cl), tolerance.toleranceMm, spacingOrder.spacingOrder);
    }
}
