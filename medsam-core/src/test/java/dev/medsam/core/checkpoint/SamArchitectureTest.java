package dev.medsam.core.checkpoint;

import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamArchitectureTest {

    static final SamArchitecture TINY = new SamArchitecture("custom", 96, 4, 3, 14, List.of(1, 3));

    @Test
    void vitBExpectedShapesAreTheOfficialLayoutInStateDictOrder() throws IOException {
        VitbLayout layout = VitbLayout.load();
        Map<String, int[]> expected = layout.shapesInStateDictOrder();
        Map<String, int[]> actual = SamArchitecture.VIT_B.expectedShapes();
        assertEquals(314, layout.count);
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        for (String key : expected.keySet()) {
            assertArrayEquals(expected.get(key), actual.get(key), key);
        }
        assertEquals(93_735_728L, layout.totalParams);
        assertEquals(93_735_728L, SamArchitecture.VIT_B.parameterCount());
    }

    @Test
    void vitBKeysJsonIsInferredAndAcceptedAsVitB() throws IOException {
        StateDict weights = VitbLayout.zeroWeights(VitbLayout.load().shapesInStateDictOrder());
        SamArchitecture arch = SamArchitecture.infer(weights);
        assertSame(SamArchitecture.VIT_B, arch);
        arch.validate(weights);
        assertEquals(93_735_728L, weights.parameterCount());
        SamCheckpoint checkpoint = SamCheckpoint.of("vitb_keys.json", weights);
        assertEquals("vit_b", checkpoint.architecture().name());
        assertEquals(314, checkpoint.weights().size());
    }

    @Test
    void vitLAndVitHRoundTripThroughInfer() throws CheckpointException {
        for (SamArchitecture known : List.of(SamArchitecture.VIT_B, SamArchitecture.VIT_L, SamArchitecture.VIT_H, TINY)) {
            StateDict weights = VitbLayout.zeroWeights(known.expectedShapes());
            SamArchitecture inferred = SamArchitecture.infer(weights);
            assertTrue(inferred.sameShape(known), inferred.describe());
            inferred.validate(weights);
        }
        assertEquals("vit_h", SamArchitecture.infer(VitbLayout.zeroWeights(SamArchitecture.VIT_H.expectedShapes())).name());
        assertEquals("custom", SamArchitecture.infer(VitbLayout.zeroWeights(TINY.expectedShapes())).name());
    }

    @Test
    void theTinyFixtureNeedsNoConfiguration() throws IOException {
        SamCheckpoint c = SamCheckpoint.load(Fixtures.samParity("weights/tiny_sam.safetensors"));
        SamArchitecture a = c.architecture();
        assertEquals("custom", a.name());
        assertEquals(96, a.embedDim());
        assertEquals(4, a.depth());
        assertEquals(3, a.heads());
        assertEquals(14, a.windowSize());
        assertEquals(List.of(1, 3), a.globalAttnIndexes());
        Map<String, int[]> shapes = a.expectedShapes();
        assertEquals(new ArrayList<>(shapes.keySet()), new ArrayList<>(c.weights().keys()));
        for (TensorData t : c.weights().tensors()) {
            assertArrayEquals(shapes.get(t.name()), t.shape(), t.name());
        }
    }

    @Test
    void validateListsEveryMissingUnexpectedAndMisShapedKey() {
        Map<String, int[]> shapes = new LinkedHashMap<>(SamArchitecture.VIT_B.expectedShapes());
        shapes.remove("mask_decoder.iou_token.weight");
        shapes.remove("image_encoder.blocks.7.mlp.lin2.bias");
        shapes.put("image_encoder.pixel_mean", new int[] {3});
        shapes.put("mask_decoder.mask_tokens.weight", new int[] {3, 256});
        StateDict weights = VitbLayout.zeroWeights(shapes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SamArchitecture.VIT_B.validate(weights));
        String m = e.getMessage();
        assertTrue(m.startsWith("the weights do not match SAM vit_b"), m);
        assertTrue(m.contains("2 missing keys, 1 unexpected key, 1 mis-shaped key"), m);
        assertTrue(m.contains("missing: mask_decoder.iou_token.weight [1, 256]"), m);
        assertTrue(m.contains("missing: image_encoder.blocks.7.mlp.lin2.bias [768]"), m);
        assertTrue(m.contains("unexpected: image_encoder.pixel_mean [3]"), m);
        assertTrue(m.contains("mis-shaped: mask_decoder.mask_tokens.weight has [3, 256], expected [4, 256]"), m);
    }

    @Test
    void inferExplainsWhatIsWrong() {
        Map<String, int[]> vitb = SamArchitecture.VIT_B.expectedShapes();

        Map<String, int[]> noPatch = new LinkedHashMap<>(vitb);
        noPatch.remove("image_encoder.patch_embed.proj.weight");
        assertInferFails(noPatch, "no tensor 'image_encoder.patch_embed.proj.weight'");

        Map<String, int[]> badPatch = new LinkedHashMap<>(vitb);
        badPatch.put("image_encoder.patch_embed.proj.weight", new int[] {768, 3, 14, 14});
        assertInferFails(badPatch, "[768, 3, 14, 14]");

        Map<String, int[]> mixedWindows = new LinkedHashMap<>(vitb);
        mixedWindows.put("image_encoder.blocks.4.attn.rel_pos_h", new int[] {15, 64});
        assertInferFails(mixedWindows, "window 8 in blocks [4], window 14 in blocks [0, 1, 3, 6, 7, 9, 10]");

        Map<String, int[]> headWidth = new LinkedHashMap<>(vitb);
        headWidth.put("image_encoder.blocks.3.attn.rel_pos_h", new int[] {27, 32});
        assertInferFails(headWidth, "head width 32 of 'image_encoder.blocks.3.attn.rel_pos_h'");

        Map<String, int[]> noRelPos = new LinkedHashMap<>(vitb);
        noRelPos.keySet().removeIf(k -> k.contains("rel_pos"));
        assertInferFails(noRelPos, "no 'attn.rel_pos_h' tables");

        Map<String, int[]> allGlobal = new LinkedHashMap<>(vitb);
        allGlobal.replaceAll((k, v) -> k.contains("rel_pos") ? new int[] {127, 64} : v);
        assertInferFails(allGlobal, "every block attends globally");

        Map<String, int[]> huge = new LinkedHashMap<>(vitb);
        huge.put("image_encoder.blocks.123456.norm1.weight", new int[] {768});
        assertInferFails(huge, "block number 123456 is implausible");
    }

    @Test
    void aBlockMissingItsTablesIsReportedByValidateNotGuessed() throws CheckpointException {
        Map<String, int[]> shapes = new LinkedHashMap<>(SamArchitecture.VIT_B.expectedShapes());
        shapes.remove("image_encoder.blocks.11.attn.rel_pos_h");
        StateDict weights = VitbLayout.zeroWeights(shapes);
        assertSame(SamArchitecture.VIT_B, SamArchitecture.infer(weights)); // classified by its rel_pos_w
        CheckpointException e = assertThrows(CheckpointException.class, () -> SamCheckpoint.of("x", weights));
        assertTrue(e.getMessage().contains("1 missing key, 0 unexpected keys, 0 mis-shaped keys"), e.getMessage());
        assertTrue(e.getMessage().contains("missing: image_encoder.blocks.11.attn.rel_pos_h [127, 64]"), e.getMessage());
    }

    private static void assertInferFails(Map<String, int[]> shapes, String expectedText) {
        StateDict weights = VitbLayout.zeroWeights(shapes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SamArchitecture.infer(weights));
        assertTrue(e.getMessage().startsWith("cannot infer the SAM architecture: "), e.getMessage());
        assertTrue(e.getMessage().contains(expectedText), e.getMessage());
    }
}
