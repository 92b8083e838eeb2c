package dev.medsam.examples.testing;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.ModelCheckpoint;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.checkpoint.TensorData;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.SharedNetworks;
import dev.medsam.core.testing.TinyCheckpoint;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The test-only sharing of networks and embeddings (core's test-jar, registered for this module's tests): found first, shares only what is the same, and keeps close's
 * contract.
 */
class SharedNetworksTest {

    @Test
    void isWhatTheCommandsFindUnderTheTensorFlowName() {
        assertInstanceOf(SharedNetworks.class, Backends.providers().get(0));
        assertEquals("tensorflow", Backends.providers().get(0).name());
    }

    @Test
    void theSameWeightsAndOptionsShareOneNetworkAndOtherWeightsDoNot() throws IOException {
        ModelCheckpoint tiny = ModelCheckpoint.load(TinyCheckpoint.path());
        ModelArchitecture arch = tiny.architecture();
        StateDict weights = tiny.weights();
        try (Backend backend = Backends.open("tensorflow", BackendOptions.defaults())) {
            try (SamModel a = backend.load(arch, weights)) {
                a.promptEncoder().densePositionalEncoding();
            }
            int afterFirst = SharedNetworks.networksBuilt();
            try (SamModel b = backend.load(arch, ModelCheckpoint.load(TinyCheckpoint.path()).weights())) {
                b.promptEncoder().densePositionalEncoding();
            }
            assertEquals(afterFirst, SharedNetworks.networksBuilt(),
                    "a second read of the same checkpoint reuses the network");

            int shared = SharedNetworks.networksBuilt();
            try (SamModel other = backend.load(arch, nudged(weights))) {
                other.promptEncoder().densePositionalEncoding();
            }
            assertEquals(shared + 1, SharedNetworks.networksBuilt(), "one changed weight is another network");
        }
    }

    @Test
    void theThreadCountMakesNoOtherNetworkButThePrecisionDoes() {
        BackendOptions defaults = BackendOptions.defaults();
        assertEquals(SharedNetworks.networkOptions(defaults),
                SharedNetworks.networkOptions(defaults.toBuilder().intraOpThreads(2).build()),
                "TensorFlow takes the thread count from the process's first session");
        assertNotEquals(SharedNetworks.networkOptions(defaults),
                SharedNetworks.networkOptions(defaults.toBuilder().extra("precision", "bf16").build()));
    }

    @Test
    void oneChangedValueChangesTheKey() throws IOException {
        ModelCheckpoint tiny = ModelCheckpoint.load(TinyCheckpoint.path());
        assertEquals(SharedNetworks.weightsKey(tiny.architecture(), tiny.weights()),
                SharedNetworks.weightsKey(tiny.architecture(), ModelCheckpoint.load(TinyCheckpoint.path()).weights()));
        assertNotEquals(SharedNetworks.weightsKey(tiny.architecture(), tiny.weights()),
                SharedNetworks.weightsKey(tiny.architecture(), nudged(tiny.weights())));
    }

    @Test
    void aClosedViewRefusesCallsAsARealModelDoes() throws IOException {
        ModelCheckpoint tiny = ModelCheckpoint.load(TinyCheckpoint.path());
        try (Backend backend = Backends.open("tensorflow", BackendOptions.defaults())) {
            SamModel model = backend.load(tiny.architecture(), tiny.weights());
            model.close();
            assertThrows(IllegalStateException.class, () -> model.promptEncoder().densePositionalEncoding());
            assertThrows(IllegalStateException.class, () -> model.predict(null, List.of(), false));
            // the network itself lives on for the next run
            try (SamModel again = backend.load(tiny.architecture(), tiny.weights())) {
                again.promptEncoder().densePositionalEncoding();
            }
        }
    }

    @Test
    void anInputEncodedBeforeIsNotEncodedAgainAndAnyChangedValueIs() throws Exception {
        ModelCheckpoint tiny = ModelCheckpoint.load(TinyCheckpoint.path());
        int side = tiny.architecture().imageSize();
        float[] values = new float[3 * side * side];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 977) / 977f;
        }
        try (Backend backend = Backends.open("tensorflow", BackendOptions.defaults());
             SamModel model = backend.load(tiny.architecture(), tiny.weights())) {
            int before = SharedNetworks.encoderRuns();
            ImageEmbedding first = model.imageEncoder().encode(input(values, side));
            ImageEmbedding again = model.imageEncoder().encode(input(values, side));
            assertEquals(before + 1, SharedNetworks.encoderRuns());
            assertEquals(first.tensor(), again.tensor());

            try (AutoCloseable measured = SharedNetworks.encodeEveryInput()) {
                model.imageEncoder().encode(input(values, side));
            }
            assertEquals(before + 2, SharedNetworks.encoderRuns(), "a test that measures the encoder gets it");
            model.imageEncoder().encode(input(values, side));
            assertEquals(before + 2, SharedNetworks.encoderRuns(), "and after it, the kept embedding again");

            values[values.length / 2] += 1e-3f;
            ImageEmbedding changed = model.imageEncoder().encode(input(values, side));
            assertEquals(before + 3, SharedNetworks.encoderRuns(), "one changed value is another input");
            assertNotEquals(first.tensor(), changed.tensor());
        }
    }

    private static ImageTensor input(float[] values, int side) {
        return new ImageTensor(FloatTensor.of(new int[] {1, 3, side, side}, values));
    }

    /** The same tensors with the last value of the last tensor changed by one ulp. */
    private static StateDict nudged(StateDict weights) {
        List<TensorData> tensors = new ArrayList<>();
        weights.tensors().forEach(tensors::add);
        TensorData last = tensors.remove(tensors.size() - 1);
        float[] v = last.toArray();
        v[v.length - 1] = Math.nextUp(v[v.length - 1]);
        tensors.add(TensorData.of(last.name(), last.shape(), v));
        return StateDict.of(tensors);
    }
}
