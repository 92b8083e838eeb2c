package dev.medsam.io.dicom;

import java.util.Objects;

/**
 * A coded concept as DICOM's Code Sequence Macro writes it: Code Value (0008,0100), Coding Scheme Designator
 * (0008,0102) and Code Meaning (0008,0104), for example {@code ("10200004", "SCT", "Liver")}.
 *
 * @param value   the code value, 1 to 16 characters
 * @param scheme  the coding scheme designator, such as "SCT" (SNOMED CT) or "DCM", 1 to 16 characters
 * @param meaning the human-readable meaning, 1 to 64 characters
 */
public record CodedConcept(String value, String scheme, String meaning) {

    /** SNOMED CT's designator in DICOM (replaces the retired "SRT"). */
    public static final String SNOMED_CT = "SCT";

    public CodedConcept {
        check("value", value, 16);
        check("scheme", scheme, 16);
        check("meaning", meaning, 64);
    }

    /** A SNOMED CT concept. */
    public static CodedConcept snomed(String value, String meaning) {
        return new CodedConcept(value, SNOMED_CT, meaning);
    }

    static void check(String what, String text, int max) {
        Objects.requireNonNull(text, what);
        if (text.isBlank() || text.length() > max || text.indexOf('\\') >= 0
                || text.chars().anyMatch(c -> c < 0x20 && c != 0x1B)) {
            throw new IllegalArgumentException(what + " '" + text + "' must be 1 to " + max
                    + " characters, not blank, without backslashes or control characters");
        }
    }
}
