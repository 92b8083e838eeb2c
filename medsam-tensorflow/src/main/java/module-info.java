/**
 * MedSAM's network on TensorFlow Java: a {@code BackendProvider} that core's {@code Backends} finds through
 * {@link java.util.ServiceLoader}, so applications need only this module on the module path (no
 * {@code --add-modules}). The implementation ({@code dev.medsam.tensorflow.internal}) is not exported.
 */
module dev.medsam.tensorflow {
    requires transitive dev.medsam.core;
    requires tensorflow;
    requires java.logging;

    exports dev.medsam.tensorflow;

    provides dev.medsam.core.spi.BackendProvider with dev.medsam.tensorflow.TensorFlowBackendProvider;
}
