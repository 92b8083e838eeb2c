package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.Device;
import org.tensorflow.DeviceSpec;
import org.tensorflow.proto.ConfigProto;

/**
 * How models of one backend run.
 *
 * @param device            the device actually used (CPU or GPU, never AUTO)
 * @param placement         the device every op is pinned to, or null to let TensorFlow place ops (CPU)
 * @param configProto       session settings: thread pools, soft placement, GPU memory growth
 * @param precision         matrix-product precision of the image encoder
 * @param decoderCacheSize  images whose decoder side is kept
 * @param fusedLayerNorm    whether LayerNorm uses oneDNN's fused CPU kernel
 */
record RuntimeConfig(Device device, DeviceSpec placement, ConfigProto configProto, Precision precision,
                     int decoderCacheSize, boolean fusedLayerNorm) {
}
