package dev.medsam.core;

/**
 * A bounding box in original-image pixel coordinates: (x0, y0) is the top-left corner and (x1, y1) the
 * bottom-right corner, x along columns and y along rows, as MedSAM's {@code [x_min, y_min, x_max, y_max]}.
 *
 * @param x0 left, in pixels
 * @param y0 top, in pixels
 * @param x1 right, in pixels; greater than {@code x0}
 * @param y1 bottom, in pixels; greater than {@code y0}
 * @throws IllegalArgumentException if a coordinate is NaN or infinite, or the box is empty or inverted
 */
public record Box(double x0, double y0, double x1, double y1) implements Prompt {

    public Box {
        requireFinite("x0", x0);
        requireFinite("y0", y0);
        requireFinite("x1", x1);
        requireFinite("y1", y1);
        if (!(x1 > x0) || !(y1 > y0)) {
            throw new IllegalArgumentException("box " + format(x0, y0, x1, y1)
                    + " is empty or inverted: x1 must exceed x0 and y1 must exceed y0");
        }
    }

    /** Width in pixels ({@code x1 - x0}). */
    public double width() {
        return x1 - x0;
    }

    /** Height in pixels ({@code y1 - y0}). */
    public double height() {
        return y1 - y0;
    }

    /** Corners as {@code {x0, y0, x1, y1}}. */
    public double[] toArray() {
        return new double[] {x0, y0, x1, y1};
    }

    @Override
    public String toString() {
        return "Box" + format(x0, y0, x1, y1);
    }

    static String format(double x0, double y0, double x1, double y1) {
        return "[" + x0 + ", " + y0 + ", " + x1 + ", " + y1 + "]";
    }

    static void requireFinite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number, got " + value);
        }
    }
}
