package dev.medsam.core.checkpoint;

import dev.medsam.core.testing.FormulaWeights;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class FormulaWeightsTest {

    @Test
    void coefficientsAndKeyNumbersFollowTheRulesForAll314Keys() throws IOException {
        VitbLayout layout = VitbLayout.load();
        List<String> order = FormulaWeights.formulaOrder(SamArchitecture.VIT_B.expectedShapes().keySet());
        assertEquals(314, layout.keys.size());
        for (VitbLayout.Key key : layout.keys) {
            assertEquals(key.key(), order.get(key.k()), "formula index " + key.k());
            FormulaWeights.Coefficients cs = FormulaWeights.coefficients(key.key(), key.shape());
            // Exact equality: the JSON holds the doubles the reference used.
            assertEquals(key.c(), cs.c(), 0.0, "c of " + key.key());
            assertEquals(key.s(), cs.s(), 0.0, "s of " + key.key());
        }
    }

    @Test
    void sortsByCodePointLikePython() {
        assertEquals(List.of("a.blocks.10.x", "a.blocks.2.x", "a.blocks_x", "a.z", "b"),
                FormulaWeights.formulaOrder(List.of("b", "a.blocks.2.x", "a.z", "a.blocks_x", "a.blocks.10.x")));
    }

    @Test
    void vitBWeightsAreAValidCheckpointWithTheFormulaValues() {
        SamCheckpoint c = FormulaWeights.vitBCheckpoint();
        assertSame(SamArchitecture.VIT_B, c.architecture());
        assertEquals(93_735_728L, c.weights().parameterCount());
        assertEquals(new ArrayList<>(SamArchitecture.VIT_B.expectedShapes().keySet()), new ArrayList<>(c.weights().keys()));

        // Hand-computed values: k = 0 is blocks.0.attn.proj.bias (c 0, s 0.02).
        float[] bias = c.weights().get("image_encoder.blocks.0.attn.proj.bias").toArray();
        assertEquals((float) (0.02 * Math.sin(0.0)), bias[0], 0f);
        assertEquals((float) (0.02 * Math.sin(0.7310585 * 767)), bias[767], 0f);
        // The last key in code-point order is the prompt encoder's Gaussian matrix (c 0, s 1).
        List<String> order = FormulaWeights.formulaOrder(c.weights().keys());
        int k = order.indexOf("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix");
        float[] g = c.weights().get(order.get(k)).toArray();
        assertEquals((float) Math.sin(0.7310585 * 255 + 1.3 * k), g[255], 0f);
        // A LayerNorm weight (c 1, s 0.1).
        String norm = "mask_decoder.transformer.norm_final_attn.weight";
        int kn = order.indexOf(norm);
        assertEquals((float) (1.0 + 0.1 * Math.sin(0.7310585 * 100 + 1.3 * kn)), c.weights().get(norm).toArray()[100], 0f);
        // The largest tensor, checked at its end (index precision matters there).
        String lin1 = "image_encoder.blocks.11.mlp.lin1.weight";
        int kl = order.indexOf(lin1);
        FloatBuffer v = c.weights().get(lin1).values();
        int last = v.capacity() - 1;
        assertEquals((float) (Math.sin(0.7310585 * (double) last + 1.3 * kl) / Math.sqrt(768)), v.get(last), 0f);
    }

    @Test
    void buildsForOtherArchitecturesToo() throws CheckpointException {
        StateDict tiny = FormulaWeights.build(SamArchitectureTest.TINY);
        SamCheckpoint c = SamCheckpoint.of("tiny-formula", tiny);
        assertEquals(96, c.architecture().embedDim());
        assertArrayEquals(new int[] {1, 64, 64, 96}, tiny.get("image_encoder.pos_embed").shape());
    }
}
