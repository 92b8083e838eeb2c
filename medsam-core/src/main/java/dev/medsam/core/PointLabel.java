package dev.medsam.core;

/** Whether a point marks the object ({@link #POSITIVE}, SAM label 1) or the background ({@link #NEGATIVE}, 0). */
public enum PointLabel {
    NEGATIVE(0),
    POSITIVE(1);

    private final int samLabel;

    PointLabel(int samLabel) {
        this.samLabel = samLabel;
    }

    /** The label value SAM's prompt encoder uses: 1 for positive, 0 for negative. */
    public int samLabel() {
        return samLabel;
    }

    /**
     * The label for SAM's integer value.
     *
     * @throws IllegalArgumentException for anything but 0 or 1
     */
    public static PointLabel fromSamLabel(int value) {
        return switch (value) {
            case 0 -> NEGATIVE;
            case 1 -> POSITIVE;
            default -> throw new IllegalArgumentException("point label must be 1 (positive) or 0 (negative), got " + value);
        };
    }
}
