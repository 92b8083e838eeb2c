package dev.medsam.tensorflow.internal;

import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.testing.FormulaWeights;
import dev.medsam.core.testing.Tolerance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Compares the bf16 mode with fp32, block by block (not a test). Args: tiny|vitb. */
public final class PrecisionHarness {

    public static void main(String[] args) throws Exception {
        boolean vitb = args.length > 0 && args[0].equals("vitb");
        SamArchitecture arch = vitb ? SamArchitecture.VIT_B : TinyModel.architecture();
        StateDict weights = vitb ? FormulaWeights.vitB() : TinyModel.weights();
        ImageTensor input = TinyModel.input();
        List<String> names = new ArrayList<>(List.of("patch_embed"));
        for (int i = 0; i < arch.depth(); i++) {
            names.add("block" + i);
        }
        names.add("image_embeddings");
        Map<String, FloatTensor> fp32;
        Map<String, FloatTensor> bf16;
        try (TfBackend b = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
             TfSamModel m = (TfSamModel) b.load(arch, weights)) {
            fp32 = m.encodeIntermediates(input, names);
        }
        try (TfBackend b = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).extra("precision", "bf16").build());
             TfSamModel m = (TfSamModel) b.load(arch, weights)) {
            bf16 = m.encodeIntermediates(input, names);
        }
        for (String n : names) {
            float[] a = fp32.get(n).toArray();
            float[] c = bf16.get(n).toArray();
            double maxAbs = 0;
            for (float v : a) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            System.out.printf("%-18s bf16 vs fp32 max|err| %.4g (max|fp32| %.3g)%n", n, Tolerance.maxAbsDiff(a, c), maxAbs);
        }
    }
}
