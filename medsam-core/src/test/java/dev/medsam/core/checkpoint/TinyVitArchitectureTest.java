package dev.medsam.core.checkpoint;

import dev.medsam.core.checkpoint.internal.Json;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyVitArchitectureTest {

    static final String FIXTURES = "fixtures/litemedsam-parity/";

    /** A smaller TinyViT with three layers and a 3x3 patch embedding, as another checkpoint could have. */
    static final TinyVitArchitecture SMALL = new TinyVitArchitecture("custom", 3, List.of(16, 32, 48),
            List.of(1, 2, 3), List.of(2, 3), List.of(5, 4));

    /** lite_keys.json: key -> {shape, dtype}, in the file's (state-dict) order. */
    static Map<String, int[]> liteKeys() throws IOException {
        String text = Files.readString(Fixtures.require(FIXTURES + "lite_keys.json"), StandardCharsets.UTF_8);
        Map<?, ?> root;
        try {
            root = (Map<?, ?>) Json.parse(text);
        } catch (Json.JsonException e) {
            throw new IOException(e);
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : root.entrySet()) {
            List<?> s = (List<?>) ((Map<?, ?>) e.getValue()).get("shape");
            int[] shape = new int[s.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = ((Long) s.get(i)).intValue();
            }
            out.put((String) e.getKey(), shape);
        }
        return out;
    }

    @Test
    void expectedShapesAreTheReferenceLayoutInStateDictOrder() throws IOException {
        Map<String, int[]> expected = liteKeys();
        Map<String, int[]> actual = TinyVitArchitecture.LITE_MEDSAM.expectedShapes();
        assertEquals(435, expected.size());
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        for (String key : expected.keySet()) {
            assertArrayEquals(expected.get(key), actual.get(key), key);
        }
        assertEquals(9_801_439L, TinyVitArchitecture.LITE_MEDSAM.parameterCount());
    }

    @Test
    void fixtureCheckpointLoadsAsLiteMedSam() throws IOException {
        Path file = Fixtures.require(FIXTURES + "weights/lite_medsam_random.pth");
        LiteMedSamCheckpoint c = LiteMedSamCheckpoint.load(file);
        assertSame(TinyVitArchitecture.LITE_MEDSAM, c.architecture());
        assertEquals(435, c.weights().size());
        assertEquals(9_801_439L, c.weights().parameterCount());
        assertEquals(EnumSet.of(StoredType.F32, StoredType.I64), c.weights().storedTypes());
        assertEquals(new ArrayList<>(liteKeys().keySet()), new ArrayList<>(c.weights().keys()));
        // A moved-away BatchNorm statistic survives as stored (no folding in the checkpoint layer).
        TensorData var = c.weights().get("image_encoder.patch_embed.seq.0.bn.running_var");
        assertEquals(32, var.size());
        assertTrue(var.values().get(0) > 0f, "running variance is positive");
        assertEquals(StoredType.I64, c.weights().get("image_encoder.layers.3.blocks.1.local_conv.bn.num_batches_tracked")
                .storedType());
    }

    @Test
    void samCheckpointRefusesLiteMedSamWithAHint() throws IOException {
        StateDict weights = VitbLayout.zeroWeights(TinyVitArchitecture.LITE_MEDSAM.expectedShapes());
        CheckpointException e = assertThrows(CheckpointException.class, () -> SamCheckpoint.of("lite", weights));
        assertTrue(e.getMessage().contains("LiteMedSAM"), e.getMessage());
        StateDict vitb = VitbLayout.zeroWeights(SamArchitecture.VIT_B.expectedShapes());
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> LiteMedSamCheckpoint.of("vitb", vitb));
        assertTrue(e2.getMessage().contains("SamCheckpoint"), e2.getMessage());
    }

    @Test
    void inferRoundTripsOtherShapes() throws CheckpointException {
        for (TinyVitArchitecture known : List.of(TinyVitArchitecture.LITE_MEDSAM, SMALL)) {
            StateDict weights = VitbLayout.zeroWeights(known.expectedShapes());
            assertTrue(TinyVitArchitecture.looksLike(weights));
            TinyVitArchitecture inferred = TinyVitArchitecture.infer(weights);
            assertTrue(inferred.sameShape(known), inferred.describe());
            inferred.validate(weights);
        }
        assertEquals("custom", TinyVitArchitecture.infer(VitbLayout.zeroWeights(SMALL.expectedShapes())).name());
        assertFalse(TinyVitArchitecture.looksLike(VitbLayout.zeroWeights(SamArchitecture.VIT_B.expectedShapes())));
    }

    @Test
    void missingExtraAndMisShapedKeysAreNamed() {
        String dropped = "image_encoder.layers.2.blocks.4.mlp.fc1.bias";
        String reshaped = "image_encoder.layers.1.blocks.1.local_conv.bn.running_var";
        Map<String, int[]> shapes = new LinkedHashMap<>(TinyVitArchitecture.LITE_MEDSAM.expectedShapes());
        shapes.remove(dropped);
        shapes.put(reshaped, new int[] {127});
        shapes.put("image_encoder.layers.1.blocks.1.extra", new int[] {3});
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> LiteMedSamCheckpoint.of("bad", VitbLayout.zeroWeights(shapes)));
        String m = e.getMessage();
        assertTrue(m.contains("1 missing key, 1 unexpected key, 1 mis-shaped key"), m);
        assertTrue(m.contains("missing: " + dropped + " [640]"), m);
        assertTrue(m.contains("unexpected: image_encoder.layers.1.blocks.1.extra [3]"), m);
        assertTrue(m.contains("mis-shaped: " + reshaped + " has [127], expected [128]"), m);
    }

    @Test
    void inferNamesTheTensorItCannotUse() {
        Map<String, int[]> noBias = new LinkedHashMap<>(TinyVitArchitecture.LITE_MEDSAM.expectedShapes());
        noBias.put("image_encoder.layers.2.blocks.0.attn.attention_biases", new int[] {5, 195});
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TinyVitArchitecture.infer(VitbLayout.zeroWeights(noBias)));
        assertTrue(e.getMessage().contains("'image_encoder.layers.2.blocks.0.attn.attention_biases' has shape"
                + " [5, 195]"), e.getMessage());

        Map<String, int[]> noPatch = new LinkedHashMap<>(TinyVitArchitecture.LITE_MEDSAM.expectedShapes());
        noPatch.remove("image_encoder.patch_embed.seq.2.c.weight");
        CheckpointException e2 = assertThrows(CheckpointException.class,
                () -> TinyVitArchitecture.infer(VitbLayout.zeroWeights(noPatch)));
        assertTrue(e2.getMessage().contains("no tensor 'image_encoder.patch_embed.seq.2.c.weight'"), e2.getMessage());

        Map<String, int[]> hugeLayer = new LinkedHashMap<>(TinyVitArchitecture.LITE_MEDSAM.expectedShapes());
        hugeLayer.put("image_encoder.layers.99999.blocks.0.x", new int[] {1});
        CheckpointException e3 = assertThrows(CheckpointException.class,
                () -> TinyVitArchitecture.infer(VitbLayout.zeroWeights(hugeLayer)));
        assertTrue(e3.getMessage().contains("layer number 99999"), e3.getMessage());
    }

    @Test
    void constructorRefusesInconsistentShapes() {
        assertThrows(IllegalArgumentException.class, () -> new TinyVitArchitecture("x", 1, List.of(64),
                List.of(2), List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new TinyVitArchitecture("x", 2, List.of(64, 128),
                List.of(2, 2), List.of(4), List.of(7)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TinyVitArchitecture("x",
                1, List.of(64, 128), List.of(2, 2), List.of(3), List.of(7)));
        assertTrue(e.getMessage().contains("3 heads do not divide width 128"), e.getMessage());
    }
}
