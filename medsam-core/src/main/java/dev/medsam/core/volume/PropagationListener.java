package dev.medsam.core.volume;

/**
 * Receives progress of a 3D segmentation, on the segmenting thread, after each slice visit. Keep it quick; an
 * exception it throws ends the segmentation and reaches the caller.
 */
@FunctionalInterface
public interface PropagationListener {

    /** Does nothing. */
    PropagationListener NONE = p -> { };

    void onProgress(PropagationProgress progress);
}
