package dev.medsam.examples.cli;

import dev.medsam.core.checkpoint.CheckpointException;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.checkpoint.StoredType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code medsam info --checkpoint F}: reads a SAM / MedSAM checkpoint ({@code .pth} or safetensors), checks it
 * and prints its architecture, parameter count and stored data types. A file that cannot be read or does not
 * form a SAM model is reported on one line (the details of a layout mismatch follow, indented) with exit
 * code 1.
 */
@Command(name = "info",
        description = "Show the architecture, parameter count and data types of a SAM / MedSAM checkpoint"
                + " (.pth or .safetensors).",
        mixinStandardHelpOptions = true)
public final class InfoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--checkpoint"}, required = true, paramLabel = "FILE",
            description = "The checkpoint, e.g. medsam_vit_b.pth.")
    Path checkpoint;

    @Override
    public Integer call() throws CheckpointException {
        SamCheckpoint c = SamCheckpoint.load(checkpoint);
        SamArchitecture a = c.architecture();
        PrintWriter out = spec.commandLine().getOut();
        out.println("checkpoint: " + checkpoint);
        out.println("model: " + (a.name().equals("custom") ? "custom (not a published SAM size)" : a.name()));
        out.println("embed dim: " + a.embedDim());
        out.println("depth: " + a.depth());
        out.println("heads: " + a.heads() + " (head dim " + a.headDim() + ")");
        out.println("window size: " + a.windowSize());
        out.println("global blocks: " + join(a.globalAttnIndexes()));
        out.println("tensors: " + c.weights().size());
        out.println("parameters: " + String.format(Locale.ROOT, "%,d", c.weights().parameterCount()));
        List<String> types = new ArrayList<>();
        for (StoredType t : c.weights().storedTypes()) {
            types.add(dtypeName(t));
        }
        out.println("stored dtype: " + String.join(", ", types));
        out.flush();
        return 0;
    }

    private static String join(List<Integer> values) {
        List<String> s = new ArrayList<>();
        for (int v : values) {
            s.add(Integer.toString(v));
        }
        return s.isEmpty() ? "none" : String.join(", ", s);
    }

    private static String dtypeName(StoredType t) {
        switch (t) {
            case F32:
                return "float32";
            case F16:
                return "float16";
            case BF16:
                return "bfloat16";
            default:
                throw new AssertionError(t);
        }
    }
}
