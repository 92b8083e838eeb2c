package dev.medsam.server;

import dev.medsam.core.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** No package cycles in medsam-server (issue 16). */
class PackageCyclesTest {

    @Test
    void serverPackagesLayerWithoutCycles() {
        PackageCycles.assertNone("dev.medsam.server");
    }
}
