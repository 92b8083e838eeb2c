package dev.medsam.server;

import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageEncoder;
import dev.medsam.core.spi.MaskDecoder;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEncoder;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Backends;
import dev.medsam.core.spi.SamModel;
import dev.medsam.core.testing.Fixtures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A served folder for tests: the demo's CT slice ({@code ct.dcm}), the shared 3-slice CT series
 * ({@code series/}) and a PNG, segmented by the bundled tiny checkpoint through a model that counts encoder
 * runs.
 */
final class TestServer implements AutoCloseable {

    final Path root;
    final Backend backend;
    final CountingModel model;
    final SegmentationSession session;
    final MedSamServer server;

    private TestServer(Path root, Backend backend, CountingModel model, SegmentationSession session,
                       MedSamServer server) {
        this.root = root;
        this.backend = backend;
        this.model = model;
        this.session = session;
        this.server = server;
    }

    static Path demoDir() {
        return Path.of(System.getProperty("medsam.demo.dir",
                "../medsam-examples/src/main/resources/dev/medsam/examples/demo"));
    }

    /** Copies the images into {@code root} (skipping the test when the shared fixtures are absent). */
    static void populate(Path root) throws IOException {
        Files.copy(demoDir().resolve("ct_slice.dcm"), root.resolve("ct.dcm"));
        Path series = Fixtures.require("data/dicom/series_ct_3slice");
        Files.createDirectories(root.resolve("series"));
        try (Stream<Path> s = Files.list(series)) {
            for (Path p : s.toList()) {
                Files.copy(p, root.resolve("series").resolve(p.getFileName()));
            }
        }
        Files.writeString(root.resolve("notes.txt"), "not an image");
    }

    static TestServer start(Path root) throws IOException {
        return start(root, b -> b);
    }

    static TestServer start(Path root, java.util.function.UnaryOperator<MedSamServer.Builder> settings)
            throws IOException {
        SamCheckpoint weights = SamCheckpoint.load(demoDir().resolve("tiny_sam.pth"));
        Backend backend = Backends.open(BackendOptions.builder().intraOpThreads(2).build());
        try {
            CountingModel model = new CountingModel(backend.load(weights.architecture(), weights.weights()));
            SegmentationSession session = SegmentationSession.of(model, Pipeline.MEDSAM, 32);
            MedSamServer server = settings.apply(MedSamServer.builder(root, session).port(0)
                    .describe("tiny", "tensorflow")).start();
            return new TestServer(root, backend, model, session, server);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    @Override
    public void close() {
        server.close();
        session.close();
        model.close();
        backend.close();
    }

    /** Wraps a real model and counts image-encoder runs (what the slice cache must not repeat). */
    static final class CountingModel implements SamModel {
        final SamModel delegate;
        final AtomicInteger encodes = new AtomicInteger();

        CountingModel(SamModel delegate) {
            this.delegate = delegate;
        }

        @Override
        public ModelArchitecture architecture() {
            return delegate.architecture();
        }

        @Override
        public ImageEncoder imageEncoder() {
            ImageEncoder inner = delegate.imageEncoder();
            return image -> {
                encodes.incrementAndGet();
                return inner.encode(image);
            };
        }

        @Override
        public PromptEncoder promptEncoder() {
            return delegate.promptEncoder();
        }

        @Override
        public MaskDecoder maskDecoder() {
            return delegate.maskDecoder();
        }

        @Override
        public MaskPrediction predict(ImageEmbedding image, List<ModelPrompt> batch, boolean multimask) {
            return delegate.predict(image, batch, multimask);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
