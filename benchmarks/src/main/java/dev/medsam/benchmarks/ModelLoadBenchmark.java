package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.Models;
import dev.medsam.benchmarks.support.ProcessMemory;
import dev.medsam.benchmarks.support.TempFolder;
import dev.medsam.benchmarks.support.VitbCheckpointFile;
import dev.medsam.core.checkpoint.CheckpointException;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.spi.Backend;
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

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * From a ViT-B-sized checkpoint file to a model ready to encode: {@link SamCheckpoint#load} plus the backend's
 * graph construction and weight upload ({@code Backend.load}); what {@code SegmentationSession.builder(file).build()}
 * costs once the backend's native library is loaded (opened in the set-up). Warm page cache, as
 * {@link CheckpointLoadBenchmark}. The model is closed after each call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class ModelLoadBenchmark {

    @Param({"pth"})
    public String format;

    @Param({"2"})
    public int intraOpThreads;

    @Param({"1"})
    public int interOpThreads;

    private TempFolder folder;
    private Path file;
    private Backend backend;
    private SamModel model;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        folder = TempFolder.create("medsam-bench-model");
        file = VitbCheckpointFile.write(folder.path(), format);
        backend = Models.openBackend(intraOpThreads, interOpThreads, "fp32");
    }

    @Benchmark
    public SamModel load() throws CheckpointException {
        SamCheckpoint checkpoint = SamCheckpoint.load(file);
        model = backend.load(checkpoint.architecture(), checkpoint.weights());
        return model;
    }

    @TearDown(Level.Invocation)
    public void closeModel() {
        if (model != null) {
            model.close();
            model = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        System.out.println();
        System.out.println(ProcessMemory.describe("ModelLoadBenchmark fork"));
        backend.close();
        folder.close();
    }
}
