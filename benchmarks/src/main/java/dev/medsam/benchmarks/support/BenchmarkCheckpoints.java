package dev.medsam.benchmarks.support;

import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.checkpoint.TensorData;
import dev.medsam.core.testing.PickleWriter;
import dev.medsam.core.testing.SafetensorsBuilder;
import dev.medsam.core.testing.TorchZipBuilder;
import dev.medsam.io.files.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a state dict as a PyTorch zip checkpoint ({@code .pth}) or a safetensors file, for the benchmarks that
 * time checkpoint loading. Core has no checkpoint writer (it only reads); the checkpoint tests have byte-level
 * builders ({@link PickleWriter}, {@link TorchZipBuilder}, {@link SafetensorsBuilder}) in core's test support
 * package {@code dev.medsam.core.testing} (core's test-jar); this class reuses them rather than keep a second copy
 * of the zip and pickle layout. Benchmark support, not API.
 *
 * <p>The files are built in memory (the builders work on byte arrays), so writing ViT-B (375 MB) needs about
 * 1.5 GB of heap for a moment. Each file is written completely or not at all ({@link AtomicFiles}).
 */
public final class BenchmarkCheckpoints {

    private BenchmarkCheckpoints() {
    }

    /**
     * Writes {@code weights} the way {@code torch.save(model.state_dict(), file)} does: a zip archive named after
     * the file with {@code data.pkl} (an OrderedDict with {@code _metadata}), one float32 storage per tensor under
     * {@code data/N}, {@code byteorder} "little" and {@code version}.
     */
    public static void writePth(StateDict weights, Path file) throws IOException {
        Objects.requireNonNull(weights, "weights");
        String archive = archiveName(file);
        Map<String, PickleWriter.Tensor> tensors = new LinkedHashMap<>();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        int n = 0;
        for (TensorData t : weights.tensors()) {
            String key = Integer.toString(n++);
            long[] size = new long[t.rank()];
            long[] stride = new long[t.rank()];
            long s = 1;
            for (int d = t.rank() - 1; d >= 0; d--) {
                size[d] = t.dim(d);
                stride[d] = s;
                s *= t.dim(d);
            }
            tensors.put(t.name(), new PickleWriter.Tensor("FloatStorage", key, t.size(), 0, size, stride));
            storages.put(key, littleEndianFloats(t));
        }
        byte[] pickle = new PickleWriter().proto(2).stateDict(tensors).stop().bytes();
        byte[] zip = TorchZipBuilder.checkpoint(archive, pickle, storages, "little").zip64(false).build();
        storages.clear();
        AtomicFiles.write(file, out -> out.write(zip));
    }

    /** Writes {@code weights} as a safetensors file, float32 ("F32"), tensors in state-dict order. */
    public static void writeSafetensors(StateDict weights, Path file) throws IOException {
        Objects.requireNonNull(weights, "weights");
        SafetensorsBuilder b = new SafetensorsBuilder().metadata("format", "pt");
        for (TensorData t : weights.tensors()) {
            b.add(t.name(), "F32", t.shape(), littleEndianFloats(t));
        }
        byte[] safetensors = b.build();
        AtomicFiles.write(file, out -> out.write(safetensors));
    }

    private static byte[] littleEndianFloats(TensorData t) {
        FloatBuffer values = t.values();
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(4, values.remaining())).order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(values);
        return out.array();
    }

    /** torch.save names the archive's top folder after the file, without its extension. */
    private static String archiveName(Path file) {
        String name = Objects.requireNonNull(file.getFileName(), "file name of " + file).toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
