package dev.medsam.server;

import dev.medsam.core.testing.PublicApi;
import org.junit.jupiter.api.Test;

/** No public or protected signature of server's exported packages names a type users cannot see (issue 16). */
class PublicApiTest {

    @Test
    void exportedSignaturesNameOnlyExportedTypes() {
        PublicApi.assertNoInternalTypes(MedSamServer.class);
    }
}
