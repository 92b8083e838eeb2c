package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.BackendException;
import dev.medsam.core.spi.BackendOptions;
import dev.medsam.core.spi.Device;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.testing.TinyCheckpoint;
import dev.medsam.core.testing.Tolerance;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceAndOptionsTest {

    private static final ModelPrompt BOX = ModelPrompt.builder().box(new float[] {190, 510, 380, 700}).build();
    private static final ImageTensor INPUT = TinyCheckpoint.syntheticInput(11);

    @Test
    void gpuWithoutAGpuFailsWithADeviceError() {
        Assumptions.assumeTrue(DeviceProbe.gpuProblem(org.tensorflow.proto.ConfigProto.getDefaultInstance()).isPresent(), "this machine has a usable GPU");
        BackendException e = assertThrows(BackendException.class,
                () -> TfBackend.open("tensorflow", BackendOptions.builder().device(Device.GPU).build()));
        assertEquals(BackendException.Kind.DEVICE, e.kind());
        assertTrue(e.getMessage().contains("GPU") && e.getMessage().contains("CUDA"), e.getMessage());
    }

    @Test
    void autoFallsBackToTheCpuWithOneWarningAndSaysSo() {
        Assumptions.assumeTrue(DeviceProbe.gpuProblem(org.tensorflow.proto.ConfigProto.getDefaultInstance()).isPresent(), "this machine has a usable GPU");
        List<LogRecord> records = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(TfBackend.class.getName());
        logger.addHandler(h);
        try (TfBackend backend = TfBackend.open("tensorflow", BackendOptions.builder().device(Device.AUTO).build())) {
            assertEquals(Device.CPU, backend.device());
            assertEquals(1, records.stream().filter(r -> r.getLevel() == Level.WARNING).count(), records::toString);
            assertTrue(records.stream().anyMatch(r -> r.getLevel() == Level.INFO && r.getMessage().contains("on CPU")
                    && r.getMessage().contains("AUTO")), records::toString);
        } finally {
            logger.removeHandler(h);
        }
    }

    @Test
    void theGpuGraphRunsOnTheCpuWithSoftPlacementAndGivesTheSameResults() {
        MaskPrediction cpu;
        float[] cpuEmbedding;
        try (TfBackend backend = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build());
             TfSamModel model = (TfSamModel) backend.load(TinyModel.architecture(), TinyModel.weights())) {
            assertEquals(Device.CPU, backend.device());
            assertTrue(devices(model).stream().noneMatch(d -> d.contains("GPU")));
            cpuEmbedding = model.imageEncoder().encode(INPUT).tensor().toArray();
            cpu = model.predict(ImageEmbedding.of(FloatTensor.of(new int[] {1, 256, 64, 64}, cpuEmbedding)), List.of(BOX), true);
        }
        try (TfBackend backend = TfBackend.open("tensorflow", BackendOptions.builder().intraOpThreads(2).build(), true);
             TfSamModel model = (TfSamModel) backend.load(TinyModel.architecture(), TinyModel.weights())) {
            assertEquals(Device.GPU, backend.device());
            assertTrue(backend.config().configProto().getAllowSoftPlacement());
            assertFalse(backend.config().fusedLayerNorm(), "the oneDNN LayerNorm has no GPU kernel");
            List<String> devices = devices(model);
            assertTrue(devices.stream().allMatch(d -> d.equals("/device:GPU:0")), "every op pinned to the GPU: " + devices);
            MaskPrediction gpu = model.predict(ImageEmbedding.of(FloatTensor.of(new int[] {1, 256, 64, 64}, cpuEmbedding)),
                    List.of(BOX), true);
            Tolerance.assertClose("logits", cpu.logits().toArray(), gpu.logits().toArray(), 1e-5);
            Tolerance.assertClose("iou", cpu.iou().toArray(), gpu.iou().toArray(), 1e-6);
            Tolerance.assertClose("embedding", cpuEmbedding, model.imageEncoder().encode(INPUT).tensor().toArray(), 1e-5);
        }
    }

    private static List<String> devices(TfSamModel model) {
        List<String> out = new ArrayList<>();
        for (Iterator<GraphOperation> it = model.graph().operations(); it.hasNext(); ) {
            out.add(it.next().device());
        }
        return out.stream().distinct().toList();
    }

    @Test
    void threadSettingsReachTheSession() {
        try (TfBackend backend = TfBackend.open("tensorflow",
                BackendOptions.builder().intraOpThreads(2).interOpThreads(1).build())) {
            assertEquals(2, backend.config().configProto().getIntraOpParallelismThreads());
            assertEquals(1, backend.config().configProto().getInterOpParallelismThreads());
            assertEquals(Precision.FP32, backend.config().precision());
        }
    }

    @Test
    void backendOptionsAreCheckedAndNamed() {
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> TfBackend.open("tensorflow",
                BackendOptions.builder().extra("precision", "fp8").build()));
        assertTrue(p.getMessage().contains("precision=fp8"), p.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> TfBackend.open("tensorflow",
                BackendOptions.builder().extra("decoder.cache", "0").build()));
        assertTrue(c.getMessage().contains("decoder.cache=0"), c.getMessage());
        try (TfBackend backend = TfBackend.open("tensorflow",
                BackendOptions.builder().extra("precision", "BF16").extra("decoder.cache", "2").build())) {
            assertEquals(Precision.BF16, backend.config().precision());
            assertEquals(2, backend.config().decoderCacheSize());
        }
    }
}
