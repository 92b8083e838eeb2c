package dev.medsam.core.volume;

/** Where the box a slice was segmented with came from. */
public enum BoxSource {
    /** The slice is a key slice (for a 3D box: the middle slice); its key box was used. */
    KEY_BOX,
    /** The bounding box of the neighbouring slice's mask (towards the start slice), grown by the margin. */
    PREVIOUS_MASK,
    /** The neighbour's mask was empty: the box of the nearest key slice was used instead. */
    FALLBACK
}
