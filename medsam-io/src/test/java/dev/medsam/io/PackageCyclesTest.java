package dev.medsam.io;

import dev.medsam.core.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** No package cycles in medsam-io (issue 16). */
class PackageCyclesTest {

    @Test
    void ioPackagesLayerWithoutCycles() {
        PackageCycles.assertNone("dev.medsam.io");
    }
}
