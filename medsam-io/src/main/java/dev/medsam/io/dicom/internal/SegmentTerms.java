package dev.medsam.io.dicom.internal;

import dev.medsam.io.dicom.CodedConcept;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A small table of SNOMED CT codes for structures MedSAM is commonly used on, as DICOM's context groups for
 * segmented properties code them (CID 7150/7151 categories and anatomic types, CID 7159 for findings). Colours are
 * distinct and organ-like, for viewers that honour Recommended Display CIELab Value.
 */
public final class SegmentTerms {

    /** The colour of a segment without a table entry: a light tan that shows on grey CT and MR. */
    public static final int DEFAULT_RGB = 0xDCB48C;

    static final CodedConcept ANATOMICAL_STRUCTURE = CodedConcept.snomed("123037004", "Anatomical Structure");
    static final CodedConcept ABNORMAL_STRUCTURE = CodedConcept.snomed("49755003", "Morphologically Abnormal Structure");

    /** One table entry. */
    public record Term(CodedConcept category, CodedConcept type, int rgb) {
    }

    private static final Map<String, Term> TABLE = new HashMap<>();

    static {
        organ("10200004", "Liver", 0xDD8265, "liver");
        organ("78961009", "Spleen", 0x9D6C62, "spleen");
        organ("64033007", "Kidney", 0xB9664F, "kidney", "kidneys");
        organ("18639004", "Left kidney", 0xB9664F, "left kidney", "kidney left", "kidney l");
        organ("9846003", "Right kidney", 0xB9664F, "right kidney", "kidney right", "kidney r");
        organ("15776009", "Pancreas", 0xF9B48C, "pancreas");
        organ("39607008", "Lung", 0xC5F1F9, "lung", "lungs");
        organ("80891009", "Heart", 0xCE6E54, "heart");
        organ("12738006", "Brain", 0xFAFAE1, "brain");
        organ("15825003", "Aorta", 0xE06F6F, "aorta");
        organ("69695003", "Stomach", 0xD8846E, "stomach");
        organ("28231008", "Gallbladder", 0x8BB650, "gallbladder", "gall bladder");
        organ("32849002", "Esophagus", 0xD39E8A, "esophagus", "oesophagus");
        organ("89837001", "Urinary bladder", 0xDDCB82, "urinary bladder", "bladder");
        organ("41216001", "Prostate", 0xE6C3B4, "prostate");
        organ("272673000", "Bone", 0xF1D691, "bone");
        organ("23451007", "Adrenal gland", 0xF4D69B, "adrenal gland", "adrenal");
        organ("38848004", "Duodenum", 0xFFBD92, "duodenum");
        organ("71854001", "Colon", 0xCC8866, "colon");
        organ("69748006", "Thyroid gland", 0xB56F5E, "thyroid gland", "thyroid");
        organ("76752008", "Breast", 0xF5C8B4, "breast");
        finding("108369006", "Neoplasm", 0x90EE90, "neoplasm", "tumor", "tumour");
        finding("52988006", "Lesion", 0xFFFF00, "lesion");
        finding("4147007", "Mass", 0xFFA500, "mass");
        finding("441457006", "Cyst", 0x6495ED, "cyst");
    }

    private SegmentTerms() {
    }

    private static void organ(String code, String meaning, int rgb, String... names) {
        add(new Term(ANATOMICAL_STRUCTURE, CodedConcept.snomed(code, meaning), rgb), names);
    }

    private static void finding(String code, String meaning, int rgb, String... names) {
        add(new Term(ABNORMAL_STRUCTURE, CodedConcept.snomed(code, meaning), rgb), names);
    }

    private static void add(Term term, String... names) {
        for (String n : names) {
            TABLE.put(n, term);
        }
    }

    /** The entry for {@code label} (case, surrounding blanks, underscores, hyphens and repeated spaces ignored). */
    public static Optional<Term> lookup(String label) {
        String key = label.toLowerCase(Locale.ROOT).replace('_', ' ').replace('-', ' ').strip().replaceAll("\\s+", " ");
        return Optional.ofNullable(TABLE.get(key));
    }
}
