package dev.medsam.tensorflow;

import dev.medsam.core.testing.PublicApi;
import org.junit.jupiter.api.Test;

/**
 * No public or protected signature of tensorflow's exported packages names a type users cannot see, and none takes an
 * Optional (issue 16).
 */
class PublicApiTest {

    @Test
    void exportedSignaturesNameOnlyExportedTypes() {
        PublicApi.assertNoInternalTypes(TensorFlowBackendProvider.class);
    }

    @Test
    void noPublicMethodTakesAnOptional() {
        PublicApi.assertNoOptionalParameters(TensorFlowBackendProvider.class);
    }
}
