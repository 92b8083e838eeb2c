package dev.medsam.io.dicom;

import dev.medsam.io.dicom.internal.Attributes;
import dev.medsam.io.dicom.internal.Tags;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The data elements of a DICOM object (or of one sequence item), read-only. Tags are ints {@code 0xGGGGEEEE}, for
 * example {@code 0x00100010} for Patient's Name. Text is decoded with the object's Specific Character Set
 * (0008,0005); pixel data is not part of it (see {@link DicomFile#readImage()}).
 *
 * <p>Immutable and thread-safe.
 */
public final class DicomDataset {

    private final Attributes attributes;

    DicomDataset(Attributes attributes) {
        this.attributes = attributes;
    }

    Attributes attributes() {
        return attributes;
    }

    /** Tags present, in file order. */
    public Set<Integer> tags() {
        return attributes.tags();
    }

    public boolean contains(int tag) {
        return attributes.contains(tag);
    }

    /** The two-letter value representation of {@code tag}, if present. */
    public Optional<String> vr(int tag) {
        return attributes.vr(tag);
    }

    /**
     * The whole value as text with its padding trimmed (values of multi-valued elements stay joined by
     * backslashes; binary numbers are written out). Empty if the element is absent, empty or a sequence.
     */
    public Optional<String> string(int tag) {
        return attributes.string(tag);
    }

    /** The values of a multi-valued text element, each trimmed; empty if absent. */
    public List<String> strings(int tag) {
        return attributes.strings(tag);
    }

    /**
     * The numeric values of {@code tag} (decimal and integer strings, binary numbers); empty if absent.
     *
     * @throws IOException naming the tag and the file if a value is not a number
     */
    public double[] doubles(int tag) throws IOException {
        return attributes.doubles(tag);
    }

    /**
     * The items of a sequence; empty if absent.
     *
     * @throws IOException if the element is not a sequence or its items are malformed
     */
    public List<DicomDataset> sequence(int tag) throws IOException {
        List<DicomDataset> out = new ArrayList<>();
        for (Attributes a : attributes.sequence(tag)) {
            out.add(new DicomDataset(a));
        }
        return List.copyOf(out);
    }

    /** {@code (gggg,eeee)}: how tags are written in messages. */
    public static String formatTag(int tag) {
        return Tags.format(tag);
    }

    @Override
    public String toString() {
        return "DicomDataset[" + attributes.tags().size() + " elements of " + attributes.source() + "]";
    }
}
