/**
 * Implementation of the TensorFlow backend; not API. {@link dev.medsam.tensorflow.internal.SamGraph} builds the whole
 * network in one graph (NHWC, weights as resource variables filled once by
 * {@link dev.medsam.tensorflow.internal.WeightStore}); {@link dev.medsam.tensorflow.internal.TfSamModel} runs it.
 */
package dev.medsam.tensorflow.internal;
