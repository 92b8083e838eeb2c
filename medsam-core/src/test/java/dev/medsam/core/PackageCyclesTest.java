package dev.medsam.core;

import dev.medsam.core.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** No package cycles in core: spi sits below the application API, image below both (issue 16). */
class PackageCyclesTest {

    @Test
    void corePackagesLayerWithoutCycles() {
        PackageCycles.assertNone("dev.medsam.core");
    }
}
