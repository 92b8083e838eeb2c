package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.CtPhantom;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.internal.PreparedImage;
import dev.medsam.core.pipeline.IntensityPreset;
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
 * MedSAM preprocessing of an 8-bit grey image of {@code size x size} pixels to the (1, 3, 1024, 1024) network input
 * ({@link Pipeline#MEDSAM}: grey to RGB, skimage's order-3 resize with anti-aliasing when shrinking, uint8
 * truncation, min-max normalisation). Pure Java; the intensity preset was applied beforehand (the input is a
 * soft-tissue-windowed slice of the CT phantom, upscaled for 4096). {@code -p pipeline=SAM} times Segment
 * Anything's preprocessing instead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class PreprocessBenchmark {

    @Param({"512", "4096"})
    public int size;

    @Param({"MEDSAM"})
    public Pipeline pipeline;

    private MedicalImage image;

    @Setup(Level.Trial)
    public void setUp() {
        image = IntensityPreset.ctWindow("soft-tissue").apply(CtPhantom.of(size, size, 1).slice(0));
    }

    @Benchmark
    public PreparedImage prepare() {
        return PreparedImage.of(pipeline, image);
    }
}
