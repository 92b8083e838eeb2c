/**
 * The TensorFlow backend of MedSAM for Java: {@link dev.medsam.tensorflow.TensorFlowBackendProvider}, found by
 * {@link java.util.ServiceLoader} under the name {@code tensorflow}. Everything else lives in the internal package
 * and is not API.
 */
package dev.medsam.tensorflow;
