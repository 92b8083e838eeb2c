package dev.medsam.examples;

import dev.medsam.core.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** No package cycles in medsam-examples (issue 16). */
class PackageCyclesTest {

    @Test
    void examplesPackagesLayerWithoutCycles() {
        PackageCycles.assertNone("dev.medsam.examples");
    }
}
