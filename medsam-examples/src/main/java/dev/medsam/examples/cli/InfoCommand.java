package dev.medsam.examples.cli;

import dev.medsam.core.checkpoint.CheckpointException;
import dev.medsam.core.checkpoint.ModelCheckpoint;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.StoredType;
import dev.medsam.core.checkpoint.TinyVitArchitecture;
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
 * {@code medsam info --checkpoint F}: reads a SAM / MedSAM or LiteMedSAM checkpoint ({@code .pth} or
 * safetensors), checks it and prints its architecture ({@code model: vit_b}, {@code model: litemedsam}, ...),
 * parameter count and stored data types. A file that cannot be read or does not
 * form a SAM model is reported on one line (the details of a layout mismatch follow, indented) with exit
 * code 1.
 */
@Command(name = "info",
        description = "Show the architecture, parameter count and data types of a SAM / MedSAM / LiteMedSAM checkpoint"
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
        // SAM or LiteMedSAM, told apart by the tensors; any complaint names the file
        ModelCheckpoint c = ModelCheckpoint.load(checkpoint);
        PrintWriter out = spec.commandLine().getOut();
        out.println("checkpoint: " + checkpoint);
        if (c.architecture() instanceof TinyVitArchitecture lite) {
            printLite(out, lite);
        } else {
            printSam(out, (SamArchitecture) c.architecture()); // the other kind of the sealed ModelArchitecture
        }
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

    private static void printSam(PrintWriter out, SamArchitecture a) {
        out.println("model: " + (a.name().equals("custom") ? "custom (not a published SAM size)" : a.name()));
        out.println("embed dim: " + a.embedDim());
        out.println("depth: " + a.depth());
        out.println("heads: " + a.heads() + " (head dim " + a.headDim() + ")");
        out.println("window size: " + a.windowSize());
        out.println("global blocks: " + join(a.globalAttnIndexes()));
    }

    private static void printLite(PrintWriter out, TinyVitArchitecture a) {
        String layers = a.layerCount() == 2 ? "layer 1" : "layers 1-" + (a.layerCount() - 1);
        out.println("model: " + (a.name().equals("custom") ? "litemedsam-custom (not the published LiteMedSAM shape)"
                : a.name()));
        out.println("encoder: TinyViT, input " + TinyVitArchitecture.IMAGE_SIZE + "x" + TinyVitArchitecture.IMAGE_SIZE
                + ", embedding " + TinyVitArchitecture.OUT_CHANNELS + "x" + TinyVitArchitecture.EMBEDDING_SIZE + "x"
                + TinyVitArchitecture.EMBEDDING_SIZE);
        out.println("embed dims: " + join(a.embedDims()));
        out.println("depths: " + join(a.depths()));
        out.println("heads: " + join(a.heads()) + " (" + layers + "; layer 0 is convolutional)");
        out.println("window sizes: " + join(a.windowSizes()) + " (" + layers + ")");
        out.println("patch kernel: " + a.patchKernel());
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
            case I64:
                return "int64";
            default:
                throw new AssertionError(t);
        }
    }
}
