package dev.medsam.io;

import dev.medsam.core.testing.PublicApi;
import org.junit.jupiter.api.Test;

/**
 * No public or protected signature of io's exported packages names a type users cannot see, and none takes an
 * Optional (issue 16).
 */
class PublicApiTest {

    @Test
    void exportedSignaturesNameOnlyExportedTypes() {
        PublicApi.assertNoInternalTypes(MedicalImages.class);
    }

    @Test
    void noPublicMethodTakesAnOptional() {
        PublicApi.assertNoOptionalParameters(MedicalImages.class);
    }
}
