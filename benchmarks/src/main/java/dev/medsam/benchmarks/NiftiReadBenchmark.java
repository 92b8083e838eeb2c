package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.CtPhantom;
import dev.medsam.benchmarks.support.TempFolder;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.nifti.NiftiReader;
import dev.medsam.io.nifti.NiftiWriter;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * {@link NiftiReader#read(Path)} of a 512x512x300 int16 CT volume (150 MiB of voxels), written by
 * {@link NiftiWriter} in the set-up from the synthetic {@link CtPhantom}. {@code suffix}: {@code nii.gz} (the
 * usual, gzip-compressed) or {@code nii} (uncompressed, to separate inflating from the rest). Warm page cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class NiftiReadBenchmark {

    @Param({"nii.gz"})
    public String suffix;

    @Param({"300"})
    public int slices;

    private TempFolder folder;
    private Path file;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        folder = TempFolder.create("medsam-bench-nifti");
        file = folder.resolve("ct." + suffix);
        MedicalImage volume = CtPhantom.of(512, 512, slices).volume();
        NiftiWriter.write(volume, file);
        System.out.printf("%nwrote %s (%,d bytes for %,d bytes of voxels)%n", file, Files.size(file),
                volume.data().remaining());
        // A benchmark of a reader that returns the wrong thing would be worthless: check one read first.
        MedicalImage back = NiftiReader.read(file);
        if (back.dataType() != DataType.INT16 || !Arrays.equals(back.dims(), volume.dims())
                || !back.data().equals(volume.data())) {
            throw new IllegalStateException("reading " + file + " back gave " + back + ", not the volume written");
        }
    }

    @Benchmark
    public MedicalImage read() throws IOException {
        return NiftiReader.read(file);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        folder.close();
    }
}
