package dev.medsam.benchmarks;

import dev.medsam.core.MaskLogits;
import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.internal.OriginalSizeMasks;
import dev.medsam.core.pipeline.Pipeline;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * MedSAM postprocessing of one 256x256 low-resolution logit map to a {@code size x size} image: sigmoid, bilinear
 * resize to the image size, probability and binary (> 0.5) masks. The logits describe an ellipse (positive inside,
 * negative outside), as a decoder would produce for one object.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class PostprocessBenchmark {

    @Param({"512"})
    public int size;

    @Param({"MEDSAM"})
    public Pipeline pipeline;

    private ModelFrame frame;
    private MaskLogits logits;

    @Setup(Level.Trial)
    public void setUp() {
        frame = ModelFrame.of(pipeline, size, size);
        float[] v = new float[256 * 256];
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                double a = (x - 100) / 50.0;
                double b = (y - 130) / 40.0;
                v[y * 256 + x] = (float) (8 * (1 - Math.sqrt(a * a + b * b)));
            }
        }
        logits = MaskLogits.of(256, 256, v);
    }

    @Benchmark
    public OriginalSizeMasks postprocess() {
        return frame.postprocess(logits);
    }
}
