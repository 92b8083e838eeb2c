package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.TempFolder;
import dev.medsam.benchmarks.support.VitbCheckpointFile;
import dev.medsam.core.checkpoint.CheckpointException;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.checkpoint.TensorData;
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
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Reading a ViT-B-sized checkpoint (93.7M float32 values, 375 MB) with core's reader: {@link SamCheckpoint#load}
 * (format detection, zip + restricted unpickler or safetensors header, memory mapping, architecture inference and
 * validation) and then one pass over every value, since float32 tensors are memory-mapped views and reading them
 * is where a lazy loader pays. The file is generated in the trial set-up, so it is in the page cache: this is a
 * warm-cache figure (a cold read adds the disk's time for 375 MB).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class CheckpointLoadBenchmark {

    @Param({"pth", "safetensors"})
    public String format;

    private TempFolder folder;
    private Path file;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        folder = TempFolder.create("medsam-bench-checkpoint");
        file = VitbCheckpointFile.write(folder.path(), format);
        System.out.printf("%nwrote %s (%,d bytes)%n", file, Files.size(file));
        VitbCheckpointFile.check(file);
    }

    @Benchmark
    public double load() throws CheckpointException {
        SamCheckpoint checkpoint = SamCheckpoint.load(file);
        // Touch every value once (a sum the JIT cannot drop), as uploading the weights to a backend does.
        double sum = 0;
        for (TensorData t : checkpoint.weights().tensors()) {
            FloatBuffer v = t.values();
            float s = 0;
            for (int i = 0, n = v.remaining(); i < n; i++) {
                s += v.get(i);
            }
            sum += s;
        }
        return sum;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        folder.close();
    }
}
