package dev.medsam.examples.cli;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --seg-label} of the commands that write DICOM SEG (a picocli mixin): a {@code .dcm} {@code --out} of
 * {@code segment} and {@code segment3d}, {@code eval --dicom}. {@link DicomSegOutput} checks it.
 */
final class SegLabelOption {

    @Option(names = "--seg-label", paramLabel = "NAME",
            description = "Name of object 1, 2, ... in the DICOM SEG output (repeat in object order, which for eval is "
                    + "box order); names of common organs (liver, kidney, spleen, ...) get their SNOMED CT codes, others "
                    + "the category \"Tissue\". Default: Segment N.")
    List<String> segLabels = new ArrayList<>();
}
