package dev.medsam.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.medsam.benchmarks.support.CtPhantom;
import dev.medsam.benchmarks.support.TempFolder;
import dev.medsam.benchmarks.support.Models;
import dev.medsam.core.EncodedImage;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.nifti.NiftiReader;
import dev.medsam.io.nifti.NiftiWriter;
import dev.medsam.core.Box;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.checkpoint.LiteMedSamCheckpoint;
import dev.medsam.core.pipeline.internal.LiteMedSamPreprocess;
import dev.medsam.core.pipeline.internal.LiteMedSamVolume;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.tensorflow.internal.LiteMedSamTfModel;
import org.tensorflow.proto.ConfigProto;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * LiteMedSAM (issue 13's speed targets) on the fixture checkpoint {@code fixtures/litemedsam-parity/weights/
 * lite_medsam_random.pth} of the shared folder (seeded random weights in the published layout; the values do not
 * change the arithmetic):
 * <ul>
 *   <li>{@code encoderTensorFlow} and {@code encoderOnnxRuntime}: our TinyViT encoder (TensorFlow backend) and
 *       ONNX Runtime Java on an ONNX export of the same encoder, the same (1, 3, 256, 256) input, in one JMH run
 *       with the same thread settings (intra-op 2, inter-op 1; ONNX Runtime with all graph optimisations);</li>
 *   <li>{@code oneBox}: prompt encoder + mask decoder for one box on a precomputed embedding whose decoder side
 *       the model already holds (every box after the first on an image), then the reference's postprocessing
 *       (crop, bilinear to 320x512, sigmoid > 0.5) to the 320x512 mask;</li>
 *   <li>{@code decoderOneBox}, {@code postprocessOneBox}, {@code sessionOneBox}: {@code oneBox} split: the
 *       backend's decoder call alone, the Java postprocessing alone, and the public path
 *       ({@code SegmentationSession.segment} on an encoded image, which also makes the probability map);</li>
 *   <li>{@code oneBoxNewImage}: the same on an embedding the model has not seen: adds the decoder's per-image
 *       work (the first box on an image);</li>
 *   <li>{@code volume100}: one object through a 100-slice 512x512 synthetic CT volume: the {@code .nii.gz} read
 *       from disk (page cache), then per slice the 8-bit soft-tissue window, preprocessing, encoder, decoder,
 *       postprocessing, and the reference's propagation from the middle slice (LiteMedSamVolume).</li>
 * </ul>
 *
 * <p>The ONNX file is written by {@code benchmarks/tools/export_litemedsam_encoder.py} (Debian's python3-torch) to
 * {@code benchmarks/target/litemedsam-encoder.onnx}, or pass {@code -jvmArgsAppend -Dmedsam.bench.liteOnnx=path}.
 * Without it, or without the shared fixtures, the benchmarks that need them stop in their set-up with one line
 * saying why (JMH reports that benchmark as failed and goes on with the others). Before anything is timed, the
 * ONNX Runtime embedding is compared with ours and the difference printed, so both sides run the same network.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class LiteMedSamBenchmark {

    static final String CHECKPOINT = "fixtures/litemedsam-parity/weights/lite_medsam_random.pth";
    static final String DEFAULT_ONNX = "benchmarks/target/litemedsam-encoder.onnx";
    /** Width and height of the 2D image (the parity fixture's ct_wide size: resized to 256 x 160). */
    static final int WIDTH = 512;
    static final int HEIGHT = 320;
    static final int VOLUME_SIZE = 512;
    static final int VOLUME_SLICES = 100;

    @Param({"2"})
    public int intraOpThreads;

    @Param({"1"})
    public int interOpThreads;

    /**
     * The TinyViT encoder's matrix products: {@code fp32} (default, the reference's arithmetic) or {@code bf16} (the
     * backend's opt-in {@code precision} option; the decoder stays float32).
     */
    @Param({"fp32"})
    public String precision;

    private LiteMedSamTfModel model;
    private FloatTensor input;
    private FloatTensor embedding;
    private float[] embeddingValues;
    private float[] box256;
    private float[] logits256;

    /** The ONNX Runtime side, set up only for the benchmark that uses it. */
    @State(Scope.Benchmark)
    public static class OnnxSide {
        /**
         * ONNX Runtime's intra-op threads spin while waiting for work by default ({@code 1}); {@code 0} turns that
         * off (session option session.intra_op.allow_spinning), which matters on a machine shared with other work.
         */
        @Param({"1"})
        public String spinning;

        private OrtEnvironment env;
        private OrtSession session;
        private OnnxTensor image;

        @Setup(Level.Trial)
        public void setUp(LiteMedSamBenchmark tf) throws OrtException {
            Path file = Path.of(System.getProperty("medsam.bench.liteOnnx", DEFAULT_ONNX)).toAbsolutePath();
            if (!Files.isRegularFile(file)) {
                throw Skip.because("no ONNX export of the LiteMedSAM encoder at " + file + "; write it with "
                        + "/usr/bin/python3 benchmarks/tools/export_litemedsam_encoder.py (from the repository root)");
            }
            env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(tf.intraOpThreads);
                options.setInterOpNumThreads(tf.interOpThreads);
                options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                if (!spinning.equals("0") && !spinning.equals("1")) {
                    throw new IllegalArgumentException("spinning '" + spinning + "': use 1 or 0");
                }
                options.addConfigEntry("session.intra_op.allow_spinning", spinning);
                session = env.createSession(file.toString(), options);
            }
            image = OnnxTensor.createTensor(env, FloatBuffer.wrap(tf.input.toArray()), new long[] {1, 3, 256, 256});
            float[] ours = tf.embedding.toArray();
            float[] theirs = run();
            if (theirs.length != ours.length) {
                throw new IllegalStateException(file + ": the ONNX model returns " + theirs.length
                        + " values, expected (1, 256, 64, 64)");
            }
            double max = 0;
            for (int i = 0; i < ours.length; i++) {
                max = Math.max(max, Math.abs(ours[i] - theirs[i]));
            }
            System.out.printf("%nONNX Runtime %s vs TensorFlow embedding: max abs diff %.3g%n",
                    OrtEnvironment.getEnvironment().getVersion(), max);
            // The fixture tolerance is 5e-5; a larger difference means the export is not the same network. Our bf16
            // encoder differs by about 0.03 (LiteMedSamBf16Test), so against it only a gross mismatch can be told.
            double bound = tf.precision.equals("fp32") ? 1e-3 : 0.1;
            if (!(max <= bound)) {
                throw new IllegalStateException(file + " is not the same network: embeddings differ by " + max);
            }
        }

        float[] run() throws OrtException {
            try (OrtSession.Result r = session.run(Map.of("image", image))) {
                OnnxTensor out = (OnnxTensor) r.get(0);
                FloatBuffer b = out.getFloatBuffer();
                float[] values = new float[b.remaining()];
                b.get(values);
                return values;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws OrtException {
            if (image != null) {
                image.close();
            }
            if (session != null) {
                session.close();
            }
        }
    }

    /**
     * The public API's side: a {@link SegmentationSession} on the same checkpoint (LiteMedSAM pipeline chosen from
     * it) with the same thread settings, the 512x320 slice encoded once; set up only for {@code sessionOneBox}.
     */
    @State(Scope.Benchmark)
    public static class SessionSide {
        private Backend backend;
        private SegmentationSession session;
        private EncodedImage image;
        private List<Prompts> box;

        @Setup(Level.Trial)
        public void setUp(LiteMedSamBenchmark tf) throws IOException {
            LiteMedSamCheckpoint lite = LiteMedSamCheckpoint.load(Fixtures.sharedDir().resolve(CHECKPOINT));
            backend = Models.openBackend(tf.intraOpThreads, tf.interOpThreads, tf.precision);
            session = SegmentationSession.of(backend.load(lite.architecture(), lite.weights()), Pipeline.LITE_MEDSAM,
                    SegmentationSession.DEFAULT_CACHE_SIZE);
            CtPhantom phantom = CtPhantom.of(WIDTH, HEIGHT, 1);
            image = session.encode(phantom.slice(0), IntensityPreset.ctWindow("soft-tissue"));
            box = List.of(Prompts.of(phantom.liverBoxOnMiddleSlice()));
            // the session's mask must be oneBox's work on the session's embedding, pixel for pixel
            byte[] viaSession = run().get(0).binary().toArray();
            byte[] direct = tf.segment(image.embedding().tensor(), tf.box256, HEIGHT, WIDTH);
            if (!Arrays.equals(viaSession, direct)) {
                throw new IllegalStateException("the session's mask differs from oneBox's: they do not time the same work");
            }
        }

        List<Segmentation> run() {
            return session.segment(image, box, false);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (session != null) {
                session.close();
            }
            if (backend != null) {
                backend.close();
            }
        }
    }

    /** The 100-slice volume as a {@code .nii.gz} file, written only for {@code volume100}. */
    @State(Scope.Benchmark)
    public static class Volume {
        private TempFolder folder;
        private Path file;
        private long[] box;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            CtPhantom phantom = CtPhantom.of(VOLUME_SIZE, VOLUME_SIZE, VOLUME_SLICES);
            folder = TempFolder.create("medsam-bench-lite-volume");
            file = folder.resolve("ct.nii.gz");
            MedicalImage volume = phantom.volume();
            NiftiWriter.write(volume, file);
            MedicalImage back = NiftiReader.read(file);
            if (!Arrays.equals(back.dims(), volume.dims()) || !back.data().equals(volume.data())) {
                throw new IllegalStateException("reading " + file + " back gave " + back + ", not the volume written");
            }
            Box b = phantom.liverBoxOnMiddleSlice();
            box = new long[] {Math.round(b.x0()), Math.round(b.y0()), 0, Math.round(b.x1()), Math.round(b.y1()),
                    VOLUME_SLICES - 1};
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            if (folder != null) {
                folder.close();
            }
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path checkpoint = Fixtures.sharedDir().resolve(CHECKPOINT);
        if (!Files.isRegularFile(checkpoint)) {
            throw Skip.because("the LiteMedSAM fixture checkpoint is absent: " + checkpoint
                    + " (set -jvmArgsAppend -Dmedsam.shared=<shared folder>)");
        }
        LiteMedSamCheckpoint lite = LiteMedSamCheckpoint.load(checkpoint);
        model = LiteMedSamTfModel.load(lite.architecture(), lite.weights(), ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(intraOpThreads).setInterOpParallelismThreads(interOpThreads).build(),
                precision);
        CtPhantom phantom = CtPhantom.of(WIDTH, HEIGHT, 1);
        input = LiteMedSamPreprocess.input(softTissue(phantom.sliceValues(0)), WIDTH, HEIGHT, 1);
        embedding = model.encode(input);
        embeddingValues = embedding.toArray();
        Box b = phantom.liverBoxOnMiddleSlice();
        box256 = LiteMedSamPreprocess.box256(new double[] {b.x0(), b.y0(), b.x1(), b.y1()}, HEIGHT, WIDTH);
        logits256 = decoderOneBox()[0].toArray();
        int inside = 0;
        for (byte v : oneBox()) {
            inside += v;
        }
        // A mask of nothing or everything would mean the decoder is not doing the work this figure claims.
        System.out.printf("%none box: %d of %d pixels in the mask%n", inside, WIDTH * HEIGHT);
    }

    @Benchmark
    public FloatTensor encoderTensorFlow() {
        return model.encode(input);
    }

    @Benchmark
    public float[] encoderOnnxRuntime(OnnxSide onnx) throws OrtException {
        return onnx.run();
    }

    /** Prompt encoder + decoder for one box, then crop, bilinear to 320x512, sigmoid and threshold. */
    @Benchmark
    public byte[] oneBox() {
        return segment(embedding, box256, HEIGHT, WIDTH);
    }

    /** {@link #oneBox} on a new embedding object with the same values: the model cannot reuse its image side. */
    @Benchmark
    public byte[] oneBoxNewImage() {
        return segment(FloatTensor.wrap(embedding.shape(), embeddingValues), box256, HEIGHT, WIDTH);
    }

    /**
     * The backend's decoder call alone, as {@link #oneBox} makes it: the box fed with the cached image side,
     * prompt encoder and mask decoder run, the (1, 1, 256, 256) logits and the IoU copied to the Java heap.
     */
    @Benchmark
    public FloatTensor[] decoderOneBox() {
        return model.predictBoxes(embedding, new float[][] {box256});
    }

    /** The Java postprocessing of {@link #oneBox} alone: crop, bilinear to 320x512, threshold. */
    @Benchmark
    public byte[] postprocessOneBox() {
        return LiteMedSamPreprocess.mask(logits256, HEIGHT, WIDTH);
    }

    /**
     * The public path: {@code SegmentationSession.segment} with one box on an already-encoded 512x320 slice (box
     * mapping, decoder, postprocessing to the probability map and binary mask, the {@code Segmentation}).
     */
    @Benchmark
    public List<Segmentation> sessionOneBox(SessionSide side) {
        return side.run();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public int[] volume100(Volume volume) throws IOException {
        MedicalImage ct = NiftiReader.read(volume.file);
        int w = ct.width();
        int h = ct.height();
        int depth = ct.dim(2);
        int[] labels = LiteMedSamVolume.segment(depth, h, w, List.of(volume.box), (z, box) -> {
            byte[] slice = softTissue(ct, z);
            FloatTensor e = model.encode(LiteMedSamPreprocess.input(slice, w, h, 1));
            return segment(e, box, h, w);
        });
        return labels;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (model != null) {
            model.close();
        }
    }

    private byte[] segment(FloatTensor e, float[] box, int height, int width) {
        FloatTensor logits = model.predictBoxes(e, new float[][] {box})[0];
        return LiteMedSamPreprocess.mask(logits.toArray(), height, width);
    }

    /** Slice {@code z} of a CT volume (HU after rescaling) in the soft-tissue window, 8 bits. */
    static byte[] softTissue(MedicalImage ct, int z) {
        int plane = ct.width() * ct.height();
        short[] hu = new short[plane];
        long base = (long) z * plane;
        for (int i = 0; i < plane; i++) {
            hu[i] = (short) Math.round(ct.scaled(base + i));
        }
        return softTissue(hu);
    }

    /** CT soft-tissue window (level 40, width 400 HU) to 8 bits, as the fixtures' slices were made. */
    static byte[] softTissue(short[] hu) {
        byte[] out = new byte[hu.length];
        for (int i = 0; i < hu.length; i++) {
            double v = (hu[i] + 160) * 255.0 / 400.0;
            out[i] = (byte) Math.round(Math.max(0, Math.min(255, v)));
        }
        return out;
    }

    /** A benchmark that cannot run here: one line, no stack trace. */
    static final class Skip extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private Skip(String message) {
            super(message, null, false, false);
        }

        static Skip because(String why) {
            System.out.println("SKIPPED: " + why);
            return new Skip("skipped: " + why);
        }
    }
}
