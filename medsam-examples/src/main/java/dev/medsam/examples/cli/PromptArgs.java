package dev.medsam.examples.cli;

import dev.medsam.core.Box;
import dev.medsam.core.MaskLogits;
import dev.medsam.core.MaskPrompt;
import dev.medsam.core.Point;
import dev.medsam.core.PointLabel;
import dev.medsam.core.Prompt;
import dev.medsam.core.Prompts;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.NpyDtype;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The 2D prompts of {@code medsam segment}: {@code --box}, {@code --point} and {@code --mask-input} parsed (bad text
 * is a usage error) and turned into one {@link Prompts} per object, clipped to the image with a warning.
 */
final class PromptArgs {

    private PromptArgs() {
    }

    /** {@code --box X0,Y0,X1,Y1}. */
    static Box parseBox(CommandLine cl, String text) {
        double[] v = CliValues.numbers(cl, "--box", text, 4, "X0,Y0,X1,Y1 such as 95,255,190,350");
        try {
            return new Box(v[0], v[1], v[2], v[3]);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--box " + text + ": " + e.getMessage());
        }
    }

    /** {@code --point X,Y,LABEL} with label 1 (object) or 0 (background). */
    static Point parsePoint(CommandLine cl, String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 3) {
            throw new CommandLine.ParameterException(cl, "--point " + text + ": expected X,Y,LABEL such as 142,302,1 "
                    + "(label 1 = object, 0 = background)");
        }
        double[] xy = CliValues.numbers(cl, "--point", parts[0] + "," + parts[1], 2, "X,Y,LABEL such as 142,302,1");
        String label = parts[2].trim();
        if (!label.equals("0") && !label.equals("1")) {
            throw new CommandLine.ParameterException(cl, "--point " + text + ": the label must be 1 (object) or 0 "
                    + "(background), got '" + label + "'");
        }
        return new Point(xy[0], xy[1], PointLabel.fromSamLabel(Integer.parseInt(label)));
    }

    /** Reads --mask-input: float32 logits of shape (1, 1, 256, 256) or (256, 256), all finite. */
    static MaskLogits readMaskInput(Path file) throws IOException {
        NpyArray a = Npy.read(file);
        int[] s = a.shape();
        boolean shapeOk = Arrays.equals(s, new int[] {1, 1, 256, 256}) || Arrays.equals(s, new int[] {256, 256});
        if (a.dtype() != NpyDtype.FLOAT32 || !shapeOk) {
            throw new IllegalArgumentException("--mask-input " + file + ": expected float32 logits of shape "
                    + "(1, 1, 256, 256) or (256, 256) as --save-logits writes them, got " + a.dtype().numpyName()
                    + " " + CliValues.shapeText(s));
        }
        float[] v = a.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException("--mask-input " + file + ": value " + v[i] + " at (row "
                        + (i / 256) + ", column " + (i % 256) + ") is not finite");
            }
        }
        return MaskLogits.of(256, 256, v);
    }

    /**
     * One prompt per box (each with every point and the mask input), or a single prompt without boxes, for a
     * {@code w} x {@code h} image. Boxes and points reaching outside the image are clipped with a warning on
     * {@code err}; a box wholly outside is a usage error.
     */
    static List<Prompts> prompts(CommandLine cl, PrintWriter err, int w, int h, List<Box> boxes, List<Point> points,
                                 Optional<MaskLogits> mask) {
        List<Prompt> shared = new ArrayList<>();
        for (Point p : points) {
            double x = Math.min(Math.max(p.x(), 0), w);
            double y = Math.min(Math.max(p.y(), 0), h);
            if (x != p.x() || y != p.y()) {
                err.println(String.format(Locale.ROOT, "medsam segment: warning: point %s,%s lies outside the %dx%d "
                        + "image; clipped to %s,%s", num(p.x()), num(p.y()), w, h, num(x), num(y)));
            }
            shared.add(new Point(x, y, p.label()));
        }
        mask.ifPresent(m -> shared.add(new MaskPrompt(m)));
        List<Prompts> out = new ArrayList<>();
        if (boxes.isEmpty()) {
            out.add(Prompts.of(shared));
            return out;
        }
        for (Box b : boxes) {
            double x0 = Math.min(Math.max(b.x0(), 0), w);
            double y0 = Math.min(Math.max(b.y0(), 0), h);
            double x1 = Math.min(Math.max(b.x1(), 0), w);
            double y1 = Math.min(Math.max(b.y1(), 0), h);
            if (!(x1 > x0) || !(y1 > y0)) {
                throw new CommandLine.ParameterException(cl, "--box " + format(b) + " lies outside the " + w + "x"
                        + h + " image");
            }
            Box clipped = b;
            if (x0 != b.x0() || y0 != b.y0() || x1 != b.x1() || y1 != b.y1()) {
                clipped = new Box(x0, y0, x1, y1);
                err.println("medsam segment: warning: box " + format(b) + " reaches outside the " + w + "x" + h
                        + " image; clipped to " + format(clipped));
            }
            List<Prompt> parts = new ArrayList<>(shared.size() + 1);
            parts.add(clipped);
            parts.addAll(shared);
            out.add(Prompts.of(parts));
        }
        return out;
    }

    /** "x0,y0,x1,y1", whole numbers without a decimal point. */
    static String format(Box b) {
        return num(b.x0()) + "," + num(b.y0()) + "," + num(b.x1()) + "," + num(b.y1());
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
