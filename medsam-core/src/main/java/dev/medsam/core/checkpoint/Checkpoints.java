package dev.medsam.core.checkpoint;

import dev.medsam.core.checkpoint.internal.FileRegions;
import dev.medsam.core.checkpoint.internal.SafetensorsReader;
import dev.medsam.core.checkpoint.internal.TorchZipReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads the tensors of a checkpoint file, in pure Java and without executing anything from the file.
 *
 * <p>The format is recognised from the content, not the file name:
 * <ul>
 *   <li>PyTorch checkpoints written by {@code torch.save} (the zip format of torch 1.6 and later), such as
 *       {@code medsam_vit_b.pth} and {@code sam_vit_b_01ec64.pth}. The pickle inside is read by a restricted
 *       reader that only knows what a state dict needs and refuses every other Python global by name. A state
 *       dict wrapped as {@code {"model": ...}} or {@code {"state_dict": ...}} is unwrapped; other entries
 *       next to it (an epoch number, optimizer state) are ignored.</li>
 *   <li>safetensors files.</li>
 * </ul>
 * Float32, float16 and bfloat16 tensors are supported; all are handed out as float32. A key prefix shared by
 * every tensor, {@code module.} (DataParallel) or {@code model.}, is removed.
 *
 * <p>Memory: float32 little-endian data is memory-mapped and handed out as views, without a heap copy; only
 * float16/bfloat16 tensors and non-contiguous PyTorch views are copied to the heap. The returned tensors keep
 * the mapping alive; on Windows the file cannot be deleted while they are reachable. If the file is truncated
 * by another process while mapped, reading a tensor fails with an {@link InternalError}.
 *
 * <p>Thread-safe: no shared state.
 *
 * <pre>{@code
 * StateDict weights = Checkpoints.read(Path.of("medsam_vit_b.pth"));
 * TensorData patch = weights.get("image_encoder.patch_embed.proj.weight");
 * }</pre>
 */
public final class Checkpoints {

    private static final System.Logger LOG = System.getLogger(Checkpoints.class.getName());

    /** Wrapper prefixes removed when every key carries them (DataParallel, Lightning-style wrappers). */
    private static final List<String> PREFIXES = List.of("module.", "model.");

    /** The pickle of PyTorch's pre-1.6 format: protocol 2, then LONG1 of the 10-byte magic number. */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc,
        (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    private Checkpoints() {
    }

    /**
     * Reads every tensor of a PyTorch ({@code .pth}) or safetensors checkpoint.
     *
     * @return the tensors in file order (the pickled dict's order for PyTorch, the header's order for
     *         safetensors), wrapper prefixes removed
     * @throws CheckpointException naming the file (and the key, zip entry or offset where it applies) if the
     *                             file is missing, unreadable, of an unknown or unsupported format, corrupt,
     *                             holds unsupported data types, or asks to load code
     */
    public static StateDict read(Path file) throws CheckpointException {
        if (Files.isDirectory(file)) {
            throw new CheckpointException(file + " is a directory, not a checkpoint file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // Opening a FIFO would block; devices have no size. Neither holds a checkpoint.
            throw new CheckpointException(file + " is not a regular file");
        }
        long start = System.nanoTime();
        List<TensorData> tensors;
        try (FileRegions in = FileRegions.open(file)) {
            tensors = readTensors(in);
        } catch (CheckpointException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint not found: " + file, e);
        } catch (AccessDeniedException e) {
            throw new CheckpointException("cannot read checkpoint " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + file + ": " + e, e);
        }
        if (tensors.isEmpty()) {
            throw new CheckpointException(file + " contains no tensors");
        }
        StateDict weights;
        try {
            weights = StateDict.of(stripPrefixes(tensors));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.DEBUG, () -> String.format("read %d tensors (%,d values, %s) from %s in %.0f ms",
                weights.size(), weights.parameterCount(), weights.storedTypes(), file, (System.nanoTime() - start) / 1e6));
        return weights;
    }

    /**
     * How {@code SamCheckpoint.of}, {@code LiteMedSamCheckpoint.of} and {@code ModelCheckpoint.of} check
     * in-memory weights; {@link #readChecked} runs one of them on a file's tensors.
     */
    @FunctionalInterface
    interface WeightsCheck<C> {
        C check(String source, StateDict weights) throws CheckpointException;
    }

    /**
     * Reads {@code file} and checks its tensors with {@code check}, prefixing any complaint with the file, so that
     * every {@code load(Path)} names the file the same way.
     */
    static <C> C readChecked(Path file, WeightsCheck<C> check) throws CheckpointException {
        Objects.requireNonNull(file, "file");
        StateDict raw = read(file);
        try {
            return check.check(file.toString(), raw);
        } catch (CheckpointException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    private static List<TensorData> readTensors(FileRegions in) throws IOException {
        long size = in.size();
        if (size == 0) {
            throw new CheckpointException(in.file() + " is empty");
        }
        ByteBuffer head = in.read(0, Math.min(size, 16), "file header");
        if (startsWith(head, new byte[] {'P', 'K', 3, 4}) || startsWith(head, new byte[] {'P', 'K', 5, 6})) {
            return TorchZipReader.read(in);
        }
        if (startsWith(head, LEGACY_MAGIC)) {
            throw new CheckpointException(in.file() + " uses PyTorch's legacy format (written by torch<1.6 or with"
                    + " _use_new_zipfile_serialization=False); re-save it with torch>=1.6"
                    + " (torch.save(torch.load(f), f2))");
        }
        if (SafetensorsReader.looksLike(head, size)) {
            return SafetensorsReader.read(in);
        }
        if (head.get(0) == (byte) 0x80) {
            throw new CheckpointException(in.file() + " is a bare Python pickle, not a torch.save checkpoint"
                    + " (expected a zip archive with data.pkl)");
        }
        throw new CheckpointException(in.file() + " is not a PyTorch (.pth) or safetensors checkpoint"
                + " (it starts with bytes " + hex(head) + ")");
    }

    /** Removes {@code module.} / {@code model.} while every key starts with the same one of them. */
    private static List<TensorData> stripPrefixes(List<TensorData> tensors) {
        List<TensorData> current = tensors;
        boolean stripped = true;
        while (stripped) {
            stripped = false;
            for (String prefix : PREFIXES) {
                if (allStartWith(current, prefix)) {
                    List<TensorData> next = new ArrayList<>(current.size());
                    for (TensorData t : current) {
                        next.add(new TensorData(t.name().substring(prefix.length()), t.shape(), t.storedType(),
                                t.values()));
                    }
                    current = next;
                    stripped = true;
                }
            }
        }
        return current;
    }

    private static boolean allStartWith(List<TensorData> tensors, String prefix) {
        for (TensorData t : tensors) {
            if (!t.name().startsWith(prefix) || t.name().length() == prefix.length()) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(ByteBuffer head, byte[] prefix) {
        if (head.remaining() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (head.get(i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(ByteBuffer head) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.remaining()); i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", head.get(i) & 0xFF));
        }
        return sb.toString();
    }
}
