package dev.medsam.core.image;

import java.util.Objects;

/** A point in patient space, in millimetres, in a stated {@link CoordinateSystem}. */
public record PatientPoint(CoordinateSystem system, double x, double y, double z) {

    public PatientPoint {
        Objects.requireNonNull(system, "coordinate system");
    }

    /** The same point in {@code target}'s convention (x and y negate between LPS and RAS). */
    public PatientPoint to(CoordinateSystem target) {
        return target == system ? this : new PatientPoint(target, -x, -y, z);
    }
}
