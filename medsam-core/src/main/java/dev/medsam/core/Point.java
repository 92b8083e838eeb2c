package dev.medsam.core;

import java.util.Objects;

/**
 * A labelled point in original-image pixel coordinates (x = column, y = row, pixel centres at integers).
 *
 * @throws IllegalArgumentException if a coordinate is NaN or infinite
 * @throws NullPointerException if the label is missing
 */
public record Point(double x, double y, PointLabel label) implements Prompt {

    public Point {
        Box.requireFinite("point x", x);
        Box.requireFinite("point y", y);
        Objects.requireNonNull(label, "point label");
    }

    /** A point on the object. */
    public static Point positive(double x, double y) {
        return new Point(x, y, PointLabel.POSITIVE);
    }

    /** A point on the background. */
    public static Point negative(double x, double y) {
        return new Point(x, y, PointLabel.NEGATIVE);
    }
}
