package dev.medsam.tensorflow;

import dev.medsam.core.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** No package cycles in the TensorFlow backend (issue 16). */
class PackageCyclesTest {

    @Test
    void tensorflowPackagesLayerWithoutCycles() {
        PackageCycles.assertNone("dev.medsam.tensorflow");
    }
}
