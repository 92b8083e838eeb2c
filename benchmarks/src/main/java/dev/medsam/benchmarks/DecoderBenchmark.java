package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.CtPhantom;
import dev.medsam.benchmarks.support.Models;
import dev.medsam.benchmarks.support.ProcessMemory;
import dev.medsam.core.Box;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prompt encoder + mask decoder with the image embedding already computed (ViT-B formula weights; the prompt
 * encoder and mask decoder have the same shape in every SAM, so the figures hold for MedSAM): single-mask output,
 * MedSAM's way, logits and IoU handed back to Java.
 *
 * <ul>
 *   <li>{@link #oneBox()}: one box on an image whose prompt-independent decoder work the backend has cached
 *       (every box after the first on an image: the interactive case).</li>
 *   <li>{@link #eightBoxes()}: eight boxes in one batch, same image.</li>
 *   <li>{@link #oneBoxNewImage()}: one box on an image the decoder has not seen (a fresh embedding id each call),
 *       so the backend also computes that image's decoder side.</li>
 *   <li>{@link #sessionOneBox()}: what {@link SegmentationSession#segment(Prompts)} costs per box on a 512x512
 *       image: box mapping, the decoder call, and postprocessing to 512x512 probability and binary masks.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class DecoderBenchmark {

    @Param({"2"})
    public int intraOpThreads;

    @Param({"1"})
    public int interOpThreads;

    private Backend backend;
    private SamModel model;
    private SegmentationSession session;
    private ImageEmbedding embedding;
    private List<ModelPrompt> one;
    private List<ModelPrompt> eight;
    private Prompts sessionBox;

    @Setup(Level.Trial)
    public void setUp() {
        backend = Models.openBackend(intraOpThreads, interOpThreads, "fp32");
        model = Models.vitB(backend);
        session = SegmentationSession.of(model);
        CtPhantom phantom = CtPhantom.of(512, 512, 1);
        MedicalImage slice = phantom.slice(0);
        // The encoder runs once here; every benchmark below reuses its embedding.
        embedding = session.setImage(slice, IntensityPreset.ctWindow("soft-tissue")).embedding();

        Box liver = phantom.liverBoxOnMiddleSlice();
        ModelFrame frame = ModelFrame.of(Pipeline.MEDSAM, 512, 512);
        one = List.of(frame.toModel(Prompts.of(liver)));
        List<ModelPrompt> boxes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            // Eight different boxes (shifted by 12 pixels each), as eight objects would be.
            Box b = new Box(liver.x0() + 12 * i, liver.y0(), liver.x1() + 12 * i, liver.y1());
            boxes.add(frame.toModel(Prompts.of(b)));
        }
        eight = List.copyOf(boxes);
        sessionBox = Prompts.of(liver);
    }

    @Benchmark
    public MaskPrediction oneBox() {
        return model.predict(embedding, one, false);
    }

    @Benchmark
    public MaskPrediction eightBoxes() {
        return model.predict(embedding, eight, false);
    }

    @Benchmark
    public MaskPrediction oneBoxNewImage() {
        // Same values, new identity: the backend's per-image decoder cache misses, as for a newly encoded image.
        return model.predict(ImageEmbedding.of(embedding.tensor()), one, false);
    }

    @Benchmark
    public Segmentation sessionOneBox() {
        return session.segment(sessionBox);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println();
        System.out.println(ProcessMemory.describe("DecoderBenchmark fork"));
        session.close();
        model.close();
        backend.close();
    }
}
