package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.CtPhantom;
import dev.medsam.benchmarks.support.Models;
import dev.medsam.benchmarks.support.ProcessMemory;
import dev.medsam.core.internal.PreparedImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.SamModel;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * ViT-B image encoder latency: one 1024x1024 input to its (1, 256, 64, 64) embedding on the TensorFlow backend,
 * preprocessing excluded. Weights: the parity fixtures' ViT-B formula weights (the real network shape; the values
 * do not change the arithmetic). One call per iteration (single shot); the first two calls warm TensorFlow up
 * (graph optimisation, oneDNN primitive creation) and are not measured.
 *
 * <p>{@code precision}: {@code fp32} (default, matches the reference) or {@code bf16} (the backend's opt-in mode:
 * encoder matrix products in bfloat16, faster on CPUs with AVX-512 BF16 / AMX). {@code -p model=tiny} times the
 * small model of {@link Propagation3dBenchmark} instead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class EncoderBenchmark {

    @Param({"fp32", "bf16"})
    public String precision;

    /** {@code vit_b}, or {@code tiny} (the small model of {@link Propagation3dBenchmark}, to split its time). */
    @Param({"vit_b"})
    public String model;

    @Param({"2"})
    public int intraOpThreads;

    @Param({"1"})
    public int interOpThreads;

    private Backend backend;
    private SamModel sam;
    private ImageTensor input;

    @Setup(Level.Trial)
    public void setUp() {
        backend = Models.openBackend(intraOpThreads, interOpThreads, precision);
        switch (model) {
            case "vit_b" -> sam = Models.vitB(backend);
            case "tiny" -> sam = Models.tiny(backend);
            default -> throw new IllegalArgumentException("model '" + model + "': use vit_b or tiny");
        }
        input = PreparedImage.of(Pipeline.MEDSAM, CtPhantom.of(512, 512, 1).slice(0), IntensityPreset.ctWindow("soft-tissue"))
                .tensor();
    }

    @Benchmark
    public ImageEmbedding encode() {
        return sam.imageEncoder().encode(input);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println();
        System.out.println(ProcessMemory.describe("EncoderBenchmark fork (" + model + ", " + precision + ")"));
        sam.close();
        backend.close();
    }
}
