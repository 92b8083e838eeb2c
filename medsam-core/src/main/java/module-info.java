/**
 * MedSAM core: the public API, the image model, the MedSAM pipeline, checkpoint reading and the backend SPI.
 * Packages named {@code internal} are implementation details and are not exported.
 */
module dev.medsam.core {
    exports dev.medsam.core;
    exports dev.medsam.core.checkpoint;
    exports dev.medsam.core.image;
    exports dev.medsam.core.metrics;
    exports dev.medsam.core.pipeline;
    exports dev.medsam.core.spi;
    exports dev.medsam.core.volume;

    // One half-float decoder for checkpoints and image files alike: io's NumPy float16 reads it too.
    exports dev.medsam.core.image.internal to dev.medsam.io;

    uses dev.medsam.core.spi.BackendProvider;
}
