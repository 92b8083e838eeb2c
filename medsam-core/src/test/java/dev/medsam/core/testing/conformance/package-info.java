/**
 * The backend conformance suite: abstract JUnit 5 tests that every {@link dev.medsam.core.spi.BackendProvider}
 * must pass, in the spirit of DJL's integration module. A backend's own test module extends each class once,
 * naming its provider:
 *
 * <pre>{@code
 * class MyBackendConformanceTest {
 *     @Test void everyPartOfTheSuiteIsExtended() {
 *         BackendConformance.assertWholeSuite(MyBackendConformanceTest.class, MyBackendNativeMemoryTest.class);
 *     }
 *     @Nested class Parity extends ParityConformance { Parity() { super("mybackend"); } }
 *     @Nested class Lifecycle extends LifecycleConformance { Lifecycle() { super("mybackend"); } }
 *     @Nested class Concurrency extends ConcurrencyConformance { Concurrency() { super("mybackend"); } }
 *     @Nested class Errors extends ErrorConformance { Errors() { super("mybackend"); } }
 * }
 * // tagged slow, so a class of its own (see BackendConformance.assertWholeSuite)
 * class MyBackendNativeMemoryTest extends NativeMemoryConformance { MyBackendNativeMemoryTest() { super("mybackend"); } }
 * }</pre>
 *
 * <p>The backend is found the way applications find it ({@link java.util.ServiceLoader} through
 * {@link dev.medsam.core.spi.Backends#providers()}), and every class but {@link
 * dev.medsam.core.testing.conformance.ParityConformance} runs on the tiny checkpoint committed with the tests
 * ({@link dev.medsam.core.testing.TinyCheckpoint}), so a fresh clone runs them without the shared fixtures.
 * {@link dev.medsam.core.testing.conformance.NativeMemoryConformance} is tagged {@code slow}.
 *
 * <p>The parts that only use a loaded model (parity, concurrency, errors) share one per provider and options for the
 * whole test run, a {@link dev.medsam.core.testing.conformance.SharedTinyModel}: loading the network and each
 * decoder path's first run cost about a second per model, which each part used to pay again. The parts about a
 * model's or backend's life ({@link dev.medsam.core.testing.conformance.LifecycleConformance}) and the native-memory
 * probe (a JVM of its own) open their own backends and models.
 */
package dev.medsam.core.testing.conformance;
