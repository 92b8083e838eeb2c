package dev.medsam.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that prompts one object: at most one box, any number of points, at most one mask prompt, and at
 * least one of them. Coordinates are in the original image's pixels.
 *
 * <pre>{@code
 * Prompts liver = Prompts.of(new Box(95, 255, 190, 350));
 * Prompts refined = Prompts.of(new Box(95, 255, 190, 350), Point.positive(142, 302));
 * }</pre>
 */
public final class Prompts {

    private final Box box;
    private final List<Point> points;
    private final MaskPrompt mask;

    private Prompts(Box box, List<Point> points, MaskPrompt mask) {
        this.box = box;
        this.points = List.copyOf(points);
        this.mask = mask;
    }

    /**
     * Combines prompt parts for one object.
     *
     * @throws IllegalArgumentException if there are no parts, or more than one box or mask prompt
     */
    public static Prompts of(Prompt... parts) {
        Objects.requireNonNull(parts, "prompt parts");
        return of(Arrays.asList(parts));
    }

    /** As {@link #of(Prompt...)}. */
    public static Prompts of(List<? extends Prompt> parts) {
        Objects.requireNonNull(parts, "prompt parts");
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a prompt needs at least a box, a point or a mask");
        }
        Box box = null;
        MaskPrompt mask = null;
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Prompt part = Objects.requireNonNull(parts.get(i), "prompt part " + i);
            if (part instanceof Box b) {
                if (box != null) {
                    throw new IllegalArgumentException("one object takes at most one box; got " + box + " and " + b
                            + " (prompt several objects with several Prompts)");
                }
                box = b;
            } else if (part instanceof Point p) {
                points.add(p);
            } else if (part instanceof MaskPrompt m) {
                if (mask != null) {
                    throw new IllegalArgumentException("one object takes at most one mask prompt");
                }
                mask = m;
            }
        }
        return new Prompts(box, points, mask);
    }

    /** The box, if any. */
    public Optional<Box> box() {
        return Optional.ofNullable(box);
    }

    /** The points, in the order given (possibly empty). */
    public List<Point> points() {
        return points;
    }

    /** The mask prompt, if any. */
    public Optional<MaskPrompt> mask() {
        return Optional.ofNullable(mask);
    }

    /** This prompt with the box replaced (or added). */
    public Prompts withBox(Box newBox) {
        return new Prompts(Objects.requireNonNull(newBox, "box"), points, mask);
    }

    /** This prompt with the points replaced. */
    public Prompts withPoints(List<Point> newPoints) {
        List<Point> copy = List.copyOf(newPoints);
        if (box == null && mask == null && copy.isEmpty()) {
            throw new IllegalArgumentException("a prompt needs at least a box, a point or a mask");
        }
        return new Prompts(box, copy, mask);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prompts other && Objects.equals(box, other.box) && points.equals(other.points)
                && Objects.equals(mask, other.mask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(box, points, mask);
    }

    @Override
    public String toString() {
        return "Prompts[box=" + box + ", points=" + points + (mask == null ? "" : ", mask=256x256") + "]";
    }
}
