package dev.medsam.core.spi;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.BackendException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsTest {

    /** A provider that either opens (returning a backend that only knows its name) or fails with a reason. */
    private record FakeProvider(String name, int priority, String failure) implements BackendProvider {
        @Override
        public Backend open(BackendOptions options) {
            if (failure != null) {
                throw new BackendException(BackendException.Kind.UNAVAILABLE, failure);
            }
            return new Backend() {
                @Override
                public String name() {
                    return FakeProvider.this.name;
                }

                @Override
                public BackendOptions options() {
                    return options;
                }

                @Override
                public SamModel load(ModelArchitecture architecture, StateDict weights) {
                    throw new UnsupportedOperationException("not needed for selection tests");
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private final List<BackendProvider> providers = Backends.providers(List.of(
            new FakeProvider("slow", 1, null),
            new FakeProvider("fast", 10, "native library missing"),
            new FakeProvider("middle", 5, null)));

    @Test
    void priorityOrderSkipsProvidersThatFail() {
        assertEquals(List.of("fast", "middle", "slow"), providers.stream().map(BackendProvider::name).toList());
        assertEquals("middle", Backends.open(Optional.empty(), BackendOptions.defaults(), providers, null).name());
    }

    @Test
    void explicitNameBeatsPropertyWhichBeatsPriority() {
        assertEquals("slow", Backends.open(Optional.of("slow"), BackendOptions.defaults(), providers, "middle").name());
        assertEquals("slow", Backends.open(Optional.empty(), BackendOptions.defaults(), providers, "SLOW").name());
    }

    @Test
    void unknownNameListsWhatWasFound() {
        BackendException e = assertThrows(BackendException.class,
                () -> Backends.open(Optional.of("onnx"), BackendOptions.defaults(), providers, null));
        assertEquals(BackendException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("onnx") && e.getMessage().contains("fast (priority 10)"), e.getMessage());
    }

    @Test
    void thePublicOpenTakesANameOrNone() {
        BackendException e = assertThrows(BackendException.class,
                () -> Backends.open("no-such-backend", BackendOptions.defaults()));
        assertEquals(BackendException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("no backend named 'no-such-backend'"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Backends.open((String) null, BackendOptions.defaults()));
    }

    @Test
    void whenNothingOpensEveryReasonIsListed() {
        List<BackendProvider> broken = List.of(new FakeProvider("a", 2, "no GPU"), new FakeProvider("b", 1, "no CPU"));
        BackendException e = assertThrows(BackendException.class,
                () -> Backends.open(Optional.empty(), BackendOptions.defaults(), broken, null));
        assertTrue(e.getMessage().contains("a (priority 2): no GPU") && e.getMessage().contains("b (priority 1): no CPU"),
                e.getMessage());
        BackendException none = assertThrows(BackendException.class,
                () -> Backends.open(Optional.empty(), BackendOptions.defaults(), List.of(), null));
        assertTrue(none.getMessage().contains("medsam-tensorflow"), none.getMessage());
    }

    @Test
    void optionsValidateThreads() {
        assertThrows(IllegalArgumentException.class, () -> BackendOptions.builder().intraOpThreads(-1));
        BackendOptions o = BackendOptions.builder().intraOpThreads(2).extra("precision", "bf16").build();
        assertEquals("bf16", o.toBuilder().build().extra("precision").orElseThrow());
    }
}
