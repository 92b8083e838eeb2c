package dev.medsam.io.dicom.internal;

/**
 * Where the top-level pixel data lies, remembered by the header scan so that pixels are read only on demand.
 *
 * @param tag         (7FE0,0010), or (7FE0,0008)/(7FE0,0009) for float pixel data
 * @param vr          OB, OW, OF or OD
 * @param valueOffset byte offset of the value's first byte (in the inflated stream for deflated files)
 * @param length      the value length, or -1 for undefined length (encapsulated fragments)
 * @param bigEndian   whether the value is big-endian
 * @param tagOffset   byte offset of the element's tag
 */
public record PixelDataInfo(int tag, String vr, long valueOffset, long length, boolean bigEndian, long tagOffset) {

    public boolean encapsulated() {
        return length < 0;
    }
}
