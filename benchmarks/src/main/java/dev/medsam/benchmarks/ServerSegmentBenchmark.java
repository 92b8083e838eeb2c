package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.CtPhantom;
import dev.medsam.benchmarks.support.Models;
import dev.medsam.benchmarks.support.TempFolder;
import dev.medsam.core.Box;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.Backend;
import dev.medsam.core.spi.SamModel;
import dev.medsam.io.MedicalImages;
import dev.medsam.server.MedSamServer;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code medsam serve}'s box-to-mask time once the slice is encoded (ViT-B formula weights): one
 * {@code POST /api/v1/segment} over loopback HTTP with one box on a 512x512 CT slice, answered with the uint8
 * label map as .npy; that is the JSON parsing, the cached-embedding lookup, the decoder, postprocessing to
 * 512x512, the label map, the .npy encoding and the HTTP round trip. Compare with
 * {@code DecoderBenchmark.sessionOneBox} for the server's own overhead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = Jvm.HEAP)
public class ServerSegmentBenchmark {

    @Param({"2"})
    public int intraOpThreads;

    private Backend backend;
    private SamModel model;
    private SegmentationSession session;
    private TempFolder folder;
    private MedSamServer server;
    private HttpClient http;
    private HttpRequest segment;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        backend = Models.openBackend(intraOpThreads, 1, "fp32");
        model = Models.vitB(backend);
        session = SegmentationSession.of(model, Pipeline.MEDSAM, 8);
        folder = TempFolder.create("server-bench");
        CtPhantom phantom = CtPhantom.of(512, 512, 1);
        MedicalImage slice = phantom.slice(0);
        MedicalImages.write(slice, folder.resolve("ct.nii.gz"));
        server = MedSamServer.builder(folder.path(), session).port(0).start();
        http = HttpClient.newHttpClient();
        Box b = phantom.liverBoxOnMiddleSlice();
        String body = String.format(Locale.ROOT, "{\"path\": \"ct.nii.gz\", \"window\": \"soft-tissue\", "
                + "\"boxes\": [[%s, %s, %s, %s]], \"format\": \"npy\"}", b.x0(), b.y0(), b.x1(), b.y1());
        URI base = server.uri();
        // The encoder runs once here; every call below finds the slice's embedding in the session's cache.
        HttpResponse<String> encoded = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/encode"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.replace(", \"format\": \"npy\"", "")))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (encoded.statusCode() != 200) {
            throw new IllegalStateException("encode failed: " + encoded.body());
        }
        segment = HttpRequest.newBuilder(base.resolve("/api/v1/segment")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        byte[] first = boxToMask();
        if (first.length != 128 + 512 * 512) {
            throw new IllegalStateException("unexpected answer of " + first.length + " bytes");
        }
    }

    @Benchmark
    public byte[] boxToMask() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(segment, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("segment failed: " + new String(r.body()));
        }
        return r.body();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        server.close();
        session.close();
        model.close();
        backend.close();
        folder.close();
    }
}
