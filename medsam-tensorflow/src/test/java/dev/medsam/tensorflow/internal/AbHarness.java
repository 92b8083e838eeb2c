package dev.medsam.tensorflow.internal;

import dev.medsam.core.ImageTensor;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.testing.FormulaWeights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A/B timing of graph variants in one process (not a test): each argument is a variant, a comma-separated list of
 * system properties (k=v) set while its model is built; the encoders then run alternately and the min and median
 * wall times are printed. The machine is shared, so only alternating runs compare fairly.
 */
public final class AbHarness {

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 5);
        StateDict weights = FormulaWeights.vitB();
        ImageTensor image = TinyModel.input();
        List<TfSamModel> models = new ArrayList<>();
        try (TfBackend backend = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).interOpThreads(1).build())) {
            for (String variant : args) {
                List<String> keys = new ArrayList<>();
                for (String kv : variant.split(",")) {
                    if (kv.contains("=")) {
                        String[] p = kv.split("=", 2);
                        System.setProperty(p[0], p[1]);
                        keys.add(p[0]);
                    }
                }
                models.add((TfSamModel) backend.load(SamArchitecture.VIT_B, weights));
                keys.forEach(System::clearProperty);
            }
            double[][] t = new double[args.length][rounds];
            for (int r = -1; r < rounds; r++) {
                for (int i = 0; i < args.length; i++) {
                    long t0 = System.nanoTime();
                    models.get(i).imageEncoder().encode(image);
                    if (r >= 0) {
                        t[i][r] = (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
            for (int i = 0; i < args.length; i++) {
                double[] s = t[i].clone();
                Arrays.sort(s);
                System.out.printf("%-50s min %.2f s, median %.2f s%n", args[i], s[0], s[rounds / 2]);
            }
        }
    }
}
