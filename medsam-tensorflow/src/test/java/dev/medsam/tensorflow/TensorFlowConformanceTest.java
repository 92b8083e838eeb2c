package dev.medsam.tensorflow;

import dev.medsam.core.testing.conformance.BackendConformance;
import dev.medsam.core.testing.conformance.ConcurrencyConformance;
import dev.medsam.core.testing.conformance.ErrorConformance;
import dev.medsam.core.testing.conformance.LifecycleConformance;
import dev.medsam.core.testing.conformance.ParityConformance;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The TensorFlow backend against the backend conformance suite of medsam-core's test-jar
 * ({@code dev.medsam.core.testing.conformance}): found by ServiceLoader as {@code tensorflow}, on the committed tiny
 * checkpoint; parity needs the shared fixtures. The native-memory part, tagged {@code slow}, is
 * {@link TensorFlowNativeMemoryTest}.
 */
class TensorFlowConformanceTest {

    static final String PROVIDER = "tensorflow";

    @Test
    void everyPartOfTheSuiteIsExtended() {
        BackendConformance.assertWholeSuite(TensorFlowConformanceTest.class, TensorFlowNativeMemoryTest.class);
    }

    @Nested
    class Parity extends ParityConformance {
        Parity() {
            super(PROVIDER);
        }
    }

    @Nested
    class Lifecycle extends LifecycleConformance {
        Lifecycle() {
            super(PROVIDER);
        }
    }

    @Nested
    class Concurrency extends ConcurrencyConformance {
        Concurrency() {
            super(PROVIDER);
        }
    }

    @Nested
    class Errors extends ErrorConformance {
        Errors() {
            super(PROVIDER);
        }
    }

}
