package dev.medsam.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.medsam.core.image.Affine;
import dev.medsam.core.image.Rescale;
import dev.medsam.core.image.Window;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.Inspection;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.MedicalImages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

/**
 * {@code medsam inspect PATH [--json]}: what an image file holds, following the conventions of the project's
 * reference data (see {@link Inspection}). With {@code --json}, standard output holds exactly one JSON
 * document with numbers at full double precision; warnings go to standard error. Exit codes: 0 read, 1 the
 * file is missing, unreadable or not a valid image (one line naming it), 2 usage error.
 */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "Describes an image file (NIfTI, NPY, NPZ, PNG, JPEG, BMP, TIFF, DICOM, told apart by content) or a "
                    + "folder of DICOM files (one entry per series): format, dims, "
                    + "stored type, spacing, affine, rescale, window, min/max/mean of the scaled values and the "
                    + "SHA-256 of the stored values (little-endian, C order of the reported dims).",
            "Dims are NIfTI's dim[1..dim[0]] (x first) for NIfTI, (rows, cols[, samples]) for 2D images and the "
                    + "array shape for NumPy (one entry per NPZ member); for DICOM (rows, cols) for one frame, "
                    + "(frames, rows, cols) for multi-frame objects and series, samples last for colour. NIfTI "
                    + "affines are nibabel's choice, in RAS; others are LPS."})
public final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PATH", description = "The file, or folder of DICOM files, to describe.")
    Path path;

    @Option(names = "--json", description = "Print one JSON document instead of text.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Inspection inspection = inspect(path);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (String w : inspection.warnings()) {
            err.println("warning: " + TerminalText.escapeKeepingLines(w));
        }
        err.flush();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            out.println(mapper.writeValueAsString(toJson(mapper, inspection)));
        } else {
            // array names, DICOM strings and warnings come from the file: escape them before the terminal sees them
            java.io.StringWriter text = new java.io.StringWriter();
            printText(new PrintWriter(text), inspection);
            out.print(TerminalText.escapeKeepingLines(text.toString().stripTrailing()) + System.lineSeparator());
        }
        out.flush();
        return 0;
    }

    /** Inspects {@code file}, turning the JDK's terse file errors into one line that names the file. */
    static Inspection inspect(Path file) throws IOException {
        try {
            return MedicalImages.inspect(file); // a folder is read as DICOM series
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied", e);
        } catch (MalformedImageException e) {
            throw e;
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            throw m.contains(file.toString()) ? e : new IOException(file + ": " + m, e);
        }
    }

    static ObjectNode toJson(ObjectMapper mapper, Inspection ins) {
        ObjectNode root = mapper.createObjectNode();
        root.put("file", ins.file().toString());
        root.put("format", ins.format().displayName());
        ArrayNode entries = root.putArray("entries");
        for (Inspection.Entry e : ins.entries()) {
            ObjectNode n = entries.addObject();
            if (!e.name().isEmpty()) {
                n.put("name", e.name());
            }
            ArrayNode dims = n.putArray("dims");
            Arrays.stream(e.dims()).forEach(dims::add);
            ArrayNode axes = n.putArray("axes");
            e.axes().forEach(axes::add);
            n.put("dtype", e.dtype());
            n.put("components", e.components());
            if (e.spacing().isPresent()) {
                ArrayNode s = n.putArray("spacing");
                for (double v : e.spacing().get()) {
                    number(s, v);
                }
            } else {
                n.putNull("spacing");
            }
            if (e.affine().isPresent()) {
                Affine a = e.affine().get();
                ObjectNode an = n.putObject("affine");
                an.put("system", a.system().name());
                String source = e.details().get("nifti.affine_source");
                if (source != null) {
                    an.put("source", source);
                }
                ArrayNode rows = an.putArray("matrix");
                for (int r = 0; r < 4; r++) {
                    ArrayNode row = rows.addArray();
                    for (int c = 0; c < 4; c++) {
                        number(row, a.get(r, c));
                    }
                }
            } else {
                n.putNull("affine");
            }
            ObjectNode rescale = n.putObject("rescale");
            number(rescale, "slope", e.rescale().slope());
            number(rescale, "intercept", e.rescale().intercept());
            if (e.window().isPresent()) {
                ObjectNode w = n.putObject("window");
                number(w, "center", e.window().get().center());
                number(w, "width", e.window().get().width());
            } else {
                n.putNull("window");
            }
            ObjectNode stats = n.putObject("stats");
            stats.put("count", e.count());
            number(stats, "min", e.min());
            number(stats, "max", e.max());
            number(stats, "mean", e.mean());
            n.put("sha256", e.sha256());
            e.values().ifPresent(v -> {
                ArrayNode a = n.putArray("values");
                for (double d : v) {
                    number(a, d);
                }
            });
            ObjectNode details = n.putObject("details");
            for (Map.Entry<String, String> d : e.details().entrySet()) {
                details.put(d.getKey(), d.getValue());
            }
        }
        ArrayNode warnings = root.putArray("warnings");
        ins.warnings().forEach(warnings::add);
        return root;
    }

    /** JSON has no NaN or infinity: those become null. */
    private static void number(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    private static void number(ArrayNode a, double v) {
        if (Double.isFinite(v)) {
            a.add(v);
        } else {
            a.addNull();
        }
    }

    private static void printText(PrintWriter out, Inspection ins) {
        out.println(ins.file());
        out.println("  format    " + ins.format().displayName());
        for (Inspection.Entry e : ins.entries()) {
            if (!e.name().isEmpty()) {
                out.println("  " + (ins.format() == ImageFormat.DICOM ? "series" : "array") + " '" + e.name() + "'");
            }
            String in = e.name().isEmpty() ? "  " : "    ";
            StringJoiner dims = new StringJoiner(" x ");
            Arrays.stream(e.dims()).forEach(d -> dims.add(Integer.toString(d)));
            out.println(in + "dims      " + dims + "  (" + String.join(", ", e.axes()) + ")");
            out.println(in + "dtype     " + e.dtype() + (e.components() > 1 ? ", " + e.components() + " components" : ""));
            e.spacing().ifPresent(s -> {
                StringJoiner j = new StringJoiner(" x ");
                for (double v : s) {
                    j.add(Double.toString(v));
                }
                out.println(in + "spacing   " + j + " mm");
            });
            e.affine().ifPresent(a -> {
                String source = e.details().get("nifti.affine_source");
                out.println(in + "affine    " + a.system() + (source == null ? "" : " (from the " + source + ")"));
                for (int r = 0; r < 4; r++) {
                    StringJoiner row = new StringJoiner("  ", in + "          [", "]");
                    for (int c = 0; c < 4; c++) {
                        row.add(String.format("%12.6f", a.get(r, c)));
                    }
                    out.println(row);
                }
            });
            Rescale r = e.rescale();
            out.println(in + "rescale   " + (r.isIdentity() ? "none" : "slope " + r.slope() + ", intercept " + r.intercept()));
            out.println(in + "window    " + e.window().map(InspectCommand::window).orElse("none"));
            out.println(in + "values    " + e.count() + (r.isIdentity() ? "" : " (scaled)") + ": min " + e.min()
                    + ", max " + e.max() + ", mean " + e.mean());
            e.values().ifPresent(v -> out.println(in + "          " + Arrays.toString(v)));
            out.println(in + "sha256    " + e.sha256() + "  (stored values, little-endian, C order of dims)");
        }
        for (String w : ins.warnings()) {
            out.println("  warning   " + w);
        }
    }

    private static String window(Window w) {
        return "centre " + w.center() + ", width " + w.width();
    }
}
