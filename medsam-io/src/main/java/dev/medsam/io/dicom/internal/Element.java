package dev.medsam.io.dicom.internal;

import java.util.List;

/**
 * One data element as read: its value bytes in the file's byte order, or its items if it is a sequence.
 *
 * @param tag       {@code 0xGGGGEEEE}
 * @param vr        two-letter value representation (from the file, or the dictionary for implicit VR)
 * @param value     the value bytes (empty for sequences)
 * @param items     the items of a sequence (empty otherwise)
 * @param bigEndian whether binary values are big-endian
 * @param offset    byte offset of the element's tag (in the inflated stream for deflated files)
 */
record Element(int tag, String vr, byte[] value, List<Attributes> items, boolean bigEndian, long offset) {

    boolean isSequence() {
        return "SQ".equals(vr) || !items.isEmpty();
    }
}
