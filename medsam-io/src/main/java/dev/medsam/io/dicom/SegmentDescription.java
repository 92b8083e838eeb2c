package dev.medsam.io.dicom;

import dev.medsam.io.dicom.internal.SegmentTerms;

import java.util.Objects;

/**
 * What one segment of a DICOM SEG is: its Segment Label (0062,0005), Segmented Property Category (0062,0003) and
 * Type (0062,000F) as coded concepts, and the colour a viewer should draw it in (written as Recommended Display
 * CIELab Value (0062,000D)).
 *
 * <pre>{@code
 * SegmentDescription liver = SegmentDescription.of("Liver");        // SNOMED CT 10200004, category Anatomical Structure
 * SegmentDescription lesion = SegmentDescription.of("lesion 3");    // not in the table: category and type "Tissue"
 * }</pre>
 *
 * @param label    the segment's label, 1 to 64 characters
 * @param category the segmented property category, such as SNOMED CT 123037004 "Anatomical Structure"
 * @param type     the segmented property type, such as SNOMED CT 10200004 "Liver"
 * @param rgb      the display colour as 0xRRGGBB (sRGB)
 */
public record SegmentDescription(String label, CodedConcept category, CodedConcept type, int rgb) {

    /** SNOMED CT 85756007 "Tissue": the category and type of a segment we know nothing more about. */
    public static final CodedConcept TISSUE = CodedConcept.snomed("85756007", "Tissue");

    public SegmentDescription {
        CodedConcept.check("label", label, 64);
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(type, "type");
        if (rgb < 0 || rgb > 0xFFFFFF) {
            throw new IllegalArgumentException("rgb " + Integer.toHexString(rgb) + " is not a 0xRRGGBB colour");
        }
    }

    /**
     * A segment named {@code label}. When the label names a structure in a small built-in table of common organs
     * and findings (liver, spleen, kidney, left/right kidney, pancreas, lung, heart, brain, aorta, stomach,
     * gallbladder, esophagus, urinary bladder, prostate, bone, adrenal gland, duodenum, colon, thyroid, breast,
     * tumour/neoplasm, lesion, mass, cyst; case, spaces and underscores do not matter) it gets that structure's
     * SNOMED CT category, type and a colour of its own; otherwise category and type "Tissue" (SNOMED CT 85756007)
     * and a neutral colour.
     *
     * @throws IllegalArgumentException if the label is blank, longer than 64 characters or holds a backslash
     */
    public static SegmentDescription of(String label) {
        CodedConcept.check("label", label, 64);
        return SegmentTerms.lookup(label)
                .map(t -> new SegmentDescription(label.strip(), t.category(), t.type(), t.rgb()))
                .orElseGet(() -> new SegmentDescription(label.strip(), TISSUE, TISSUE, SegmentTerms.DEFAULT_RGB));
    }

    /** This segment in another colour (0xRRGGBB). */
    public SegmentDescription withColour(int rgb) {
        return new SegmentDescription(label, category, type, rgb);
    }
}
