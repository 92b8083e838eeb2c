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

    uses dev.medsam.core.spi.BackendProvider;
}
