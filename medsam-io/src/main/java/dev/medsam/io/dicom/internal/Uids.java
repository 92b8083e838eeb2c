package dev.medsam.io.dicom.internal;

import java.math.BigInteger;
import java.util.UUID;

/**
 * New DICOM UIDs under the 2.25 root (PS3.5 B.2): "2.25." followed by a random (version 4) UUID read as one unsigned
 * 128-bit decimal integer, at most 44 characters. Needs no registered root and collides no more often than random
 * UUIDs do. Thread-safe.
 */
public final class Uids {

    /**
     * This library's Implementation Class UID (0002,0012) in the files it writes: the 2.25 form of the fixed UUID
     * 6f0c3b4e-8a51-4d2e-9c7a-3e5b1d9f2a60, chosen once for the project, so that it names our writer and no other.
     */
    public static final String IMPLEMENTATION_CLASS_UID = fromUuid(UUID.fromString("6f0c3b4e-8a51-4d2e-9c7a-3e5b1d9f2a60"));

    /** Implementation Version Name (0002,0013), at most 16 characters. */
    public static final String IMPLEMENTATION_VERSION_NAME = "MEDSAM_JAVA";

    private Uids() {
    }

    /** A new UID from a random UUID. */
    public static String random() {
        return fromUuid(UUID.randomUUID());
    }

    /** The 2.25 UID of {@code uuid}. */
    public static String fromUuid(UUID uuid) {
        BigInteger hi = BigInteger.valueOf(uuid.getMostSignificantBits() >>> 1).shiftLeft(1)
                .or(BigInteger.valueOf(uuid.getMostSignificantBits() & 1));
        BigInteger lo = BigInteger.valueOf(uuid.getLeastSignificantBits() >>> 1).shiftLeft(1)
                .or(BigInteger.valueOf(uuid.getLeastSignificantBits() & 1));
        return "2.25." + hi.shiftLeft(64).or(lo).toString();
    }

    /**
     * Whether {@code uid} is a well-formed UID: 1 to 64 characters, components of digits separated by single dots,
     * no component with a leading zero unless it is "0".
     */
    public static boolean isValid(String uid) {
        if (uid.isEmpty() || uid.length() > 64) {
            return false;
        }
        for (String part : uid.split("\\.", -1)) {
            if (part.isEmpty() || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                return false;
            }
        }
        return true;
    }
}
