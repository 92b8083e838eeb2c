package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.CtPhantom;
import dev.medsam.benchmarks.support.DicomSeriesWriter;
import dev.medsam.benchmarks.support.TempFolder;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.dicom.DicomSeries;
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
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Reading a DICOM CT series of {@code slices} 512x512 files (explicit VR little endian, 16-bit, written in the
 * set-up from the synthetic {@link CtPhantom}) into one volume: {@link DicomSeries#open} (scan every header, group,
 * sort by position, check the steps) and {@link DicomSeries#readVolume()} (every slice's pixels). Warm page cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class DicomSeriesReadBenchmark {

    @Param({"300"})
    public int slices;

    private TempFolder folder;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        folder = TempFolder.create("medsam-bench-dicom");
        CtPhantom phantom = CtPhantom.of(512, 512, slices);
        DicomSeriesWriter.write(phantom, folder.path());
        System.out.printf("%nwrote %d DICOM files (%,d bytes) to %s%n", slices, folder.sizeBytes(), folder.path());
        check(phantom);
    }

    /** One read first: the series must come back whole, in order, with the phantom's values and no warnings. */
    private void check(CtPhantom phantom) throws IOException {
        DicomSeries series = DicomSeries.open(folder.path());
        MedicalImage volume = series.readVolume();
        if (!series.warnings().isEmpty() || !Arrays.equals(volume.dims(), new int[] {512, 512, slices})) {
            throw new IllegalStateException("the generated series reads as " + volume + " with warnings "
                    + series.warnings());
        }
        int plane = 512 * 512;
        for (int z : new int[] {0, slices / 2, slices - 1}) {
            short[] hu = phantom.sliceValues(z);
            for (int i = 0; i < plane; i += 997) {
                double got = volume.scaled((long) z * plane + i);
                if (got != hu[i]) {
                    throw new IllegalStateException("slice " + z + ", pixel " + i + ": read " + got + " HU, wrote " + hu[i]);
                }
            }
        }
    }

    @Benchmark
    public MedicalImage read() throws IOException {
        return DicomSeries.open(folder.path()).readVolume();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        folder.close();
    }
}
