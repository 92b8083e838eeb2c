package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.CtPhantom;
import dev.medsam.benchmarks.support.Models;
import dev.medsam.benchmarks.support.ProcessMemory;
import dev.medsam.core.Box;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.core.volume.VolumePrompt;
import dev.medsam.core.volume.VolumeSegmentation;
import dev.medsam.core.volume.VolumeSegmenter;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end 3D segmentation by slice propagation over a 512x512x{@code slices} CT volume (synthetic
 * {@link CtPhantom}) with a small model: one object, a 3D box over all slices, default options (soft-tissue window
 * over the whole volume, propagation from the middle slice outwards, next box from the previous mask). Every slice
 * costs the CT window's share, MedSAM preprocessing, the image encoder, one decoder call and postprocessing; the
 * session's embedding cache is cleared before each run so that every slice is really encoded.
 *
 * <p>{@code checkpoint}: empty (default) for the tiny model's layout with formula weights built in memory (embed
 * 96, depth 4: the encoder is cheap and the rest of the pipeline shows), or the path of any checkpoint, e.g. the
 * committed {@code medsam-examples/src/main/resources/dev/medsam/examples/demo/tiny_sam.pth} or a real
 * {@code medsam_vit_b.pth}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class Propagation3dBenchmark {

    @Param({"20"})
    public int slices;

    @Param({""})
    public String checkpoint;

    @Param({"2"})
    public int intraOpThreads;

    @Param({"1"})
    public int interOpThreads;

    private Backend backend;
    private SamModel model;
    private SegmentationSession session;
    private MedicalImage volume;
    private VolumePrompt prompt;
    private int lastVisits;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        backend = Models.openBackend(intraOpThreads, interOpThreads, "fp32");
        if (checkpoint.isEmpty()) {
            model = Models.tiny(backend);
        } else {
            SamCheckpoint c = SamCheckpoint.load(Path.of(checkpoint));
            model = backend.load(c.architecture(), c.weights());
        }
        session = SegmentationSession.of(model);
        CtPhantom phantom = CtPhantom.of(512, 512, slices);
        volume = phantom.volume();
        Box b = phantom.liverBoxOnMiddleSlice();
        prompt = VolumePrompt.ofBox3d(b.x0(), b.y0(), 0, b.x1(), b.y1(), slices - 1);
    }

    @Benchmark
    public VolumeSegmentation propagate() {
        session.clearCache();
        VolumeSegmentation result = VolumeSegmenter.of(session).segment(volume, List.of(prompt), PropagationOptions.defaults());
        lastVisits = result.sliceVisits();
        return result;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println();
        System.out.println("slice visits per run: " + lastVisits + " (" + slices + " slices)");
        System.out.println(ProcessMemory.describe("Propagation3dBenchmark fork"));
        session.close();
        model.close();
        backend.close();
    }
}
