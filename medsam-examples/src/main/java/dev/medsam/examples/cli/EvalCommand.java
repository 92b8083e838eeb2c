package dev.medsam.examples.cli;

import dev.medsam.core.SegmentationSession;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.examples.eval.CaseResult;
import dev.medsam.examples.eval.ChallengeEvaluation;
import dev.medsam.examples.eval.EvaluationReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code medsam eval}: segments every case of a folder in the CVPR 2024 challenge layout and scores it as the
 * challenge does ({@link ChallengeEvaluation}).
 */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Segment every case of a folder in the CVPR 2024 'MedSAM on laptop' layout and score it as the challenge's "
                    + "compute_metrics.py does: DSC per case (mean over labels 1..max of the ground truth) and NSD at "
                    + "2 mm (pixels for 2D cases; 0 when DSC <= 0.2).",
            "Cases: --images holds <case>.npz with imgs and boxes (3D: (D, H, W) and (N, 6); 2D: (H, W, 3) and (N, 4)); "
                    + "--gt holds <case>.npz with gts (and spacing). Writes <case>.npz with segs and metrics.csv to "
                    + "--out, and prints the mean/median table.",
            "Cases with 8-bit images are used as they are; --window or --modality sets the preset of the others (default: "
                    + "soft-tissue for case names with a CT part, else percentiles). --margin applies to 3D cases.",
        })
public final class EvalCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder of case npz files.")
    Path images;

    @Option(names = "--gt", required = true, paramLabel = "DIR", description = "Folder of ground-truth npz files.")
    Path groundTruth;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Output folder (created if needed) for segs npz files and metrics.csv.")
    Path out;

    @Mixin
    CheckpointOption checkpoint;

    @Mixin
    NsdToleranceOption tolerance;

    @Mixin
    SpacingOrderOption spacingOrder;

    @Mixin
    WindowOption window;

    @Mixin
    ModalityOption modality;

    @Mixin
    MarginOption margin;

    @Option(names = "--dicom", paramLabel = "DIR",
            description = "Folder of the cases' DICOM sources, each a series folder or a .dcm file named as its case "
                    + "(DIR/<case> or DIR/<case>.dcm): also writes <case>.dcm, a DICOM SEG of the case's segs, next "
                    + "to <case>.npz. The case's imgs must be the source's voxels, not cropped, resampled or flipped "
                    + "(checked before the model loads).")
    Path dicom;

    @Mixin
    SegLabelOption segLabel;

    @Mixin
    ComputeOptions compute;

    @Mixin
    QuietOption quiet;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        ChallengeEvaluation.Builder b = ChallengeEvaluation.builder(images, groundTruth, out);
        b.toleranceMm(tolerance.toleranceMm);
        if (margin.margin != null) {
            b.propagation(margin.applyTo(PropagationOptions.builder(), cl).build());
        }
        b.spacingOrder(spacingOrder.spacingOrder);
        modality.choice(cl, window).preset().ifPresent(b::preset);
        compute.check(cl);
        for (Path dir : new Path[] {images, groundTruth}) {
            if (!Files.isDirectory(dir)) {
                throw new CommandLine.ParameterException(cl, dir + " is not a folder");
            }
        }
        CliValues.requireWritableFolder(cl, "--out", out);
        EvalSegOutput seg = EvalSegOutput.of(cl, dicom, out, segLabel.segLabels);
        Path model = checkpoint.resolve(cl);

        EvaluationReport report;
        try (Progress.Deferred bar = Progress.deferred(cl.getErr(), "eval", Progress.Unit.ITEMS, quiet.quiet)) {
            b.listener(new ChallengeEvaluation.Listener() {
                @Override
                public void caseStarted(int index, int total, String name) {
                    bar.update(index, total, name);
                }

                @Override
                public void sliceProgress(int index, int total, int slicesDone, int slicesTotal) {
                    if (slicesTotal > 0) {
                        bar.update(index + (double) slicesDone / slicesTotal, total,
                                "case " + (index + 1) + ", slice " + slicesDone + " of " + slicesTotal);
                    }
                }

                @Override
                public void caseDone(int index, int total, CaseResult result) {
                    if (seg != null) {
                        writeSeg(seg, result.name());
                    }
                    bar.update(index + 1, total);
                }
            });
            ChallengeEvaluation evaluation = b.build();
            List<Path> cases = evaluation.checkInputs(); // missing ground truth: reported before the model loads
            if (seg != null) {
                seg.check(cases); // so are missing or mismatched DICOM sources
            }
            try (SegmentationSession session = compute.applyTo(SegmentationSession.builder(model), cl).build()) {
                if (seg != null) {
                    seg.useModel(session.pipeline().modelName());
                }
                report = evaluation.run(session);
            } catch (UncheckedIOException e) {
                throw e.getCause(); // a SEG written after a case failed
            }
        }
        PrintWriter stdout = cl.getOut();
        stdout.print(report.table());
        stdout.println("wrote " + report.cases().size() + " segmentations and " + report.csv());
        if (seg != null) {
            stdout.println("wrote " + seg.written() + " DICOM SEG files");
        }
        stdout.flush();
        return 0;
    }

    /** The case's SEG, right after its segs npz; a case without a labelled voxel has none (a SEG needs a frame). */
    private static void writeSeg(EvalSegOutput seg, String caseName) {
        try {
            if (!seg.write(caseName)) {
                // through the log, which prints above the progress bar
                System.getLogger(EvalCommand.class.getName()).log(System.Logger.Level.WARNING, caseName
                        + ": nothing segmented, so no DICOM SEG for it");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
