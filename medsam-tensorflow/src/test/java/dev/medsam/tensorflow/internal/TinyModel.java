package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.testing.SamParity;
import dev.medsam.core.testing.TinyCheckpoint;

/**
 * The tiny SAM for this module's tests: the weights committed in medsam-core's test-jar ({@link TinyCheckpoint},
 * no fixtures needed) and, for the tests that compare with the reference, the fixtures' CT slice input.
 */
final class TinyModel {

    private static ImageTensor input;

    private TinyModel() {
    }

    static StateDict weights() {
        return TinyCheckpoint.weights();
    }

    static SamArchitecture architecture() {
        return TinyCheckpoint.ARCHITECTURE;
    }

    /** The fixtures' preprocessed CT slice, tiny/input.npy (skips the calling test without the shared fixtures). */
    static synchronized ImageTensor input() {
        if (input == null) {
            input = new ImageTensor(SamParity.tensor("tiny/input.npy"));
        }
        return input;
    }
}
