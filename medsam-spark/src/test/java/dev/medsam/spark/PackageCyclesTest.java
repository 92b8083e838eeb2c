package dev.medsam.spark;

import dev.medsam.core.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** No package cycles in medsam-spark (issue 16). */
class PackageCyclesTest {

    @Test
    void sparkPackagesLayerWithoutCycles() {
        PackageCycles.assertNone("dev.medsam.spark");
    }
}
