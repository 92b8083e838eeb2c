package dev.medsam.core.checkpoint.internal;

import dev.medsam.core.checkpoint.CheckpointException;
import dev.medsam.core.checkpoint.StoredType;
import dev.medsam.core.checkpoint.TensorData;
import dev.medsam.core.checkpoint.internal.Unpickler.PickleException;
import dev.medsam.core.checkpoint.internal.Unpickler.PyDict;
import dev.medsam.core.checkpoint.internal.Unpickler.StorageRef;
import dev.medsam.core.checkpoint.internal.Unpickler.TensorRef;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads checkpoints written by {@code torch.save} in the zip format (torch 1.6 and later): one folder holding
 * {@code data.pkl} (the pickled object), {@code data/N} (one entry per storage, raw bytes), and optionally
 * {@code byteorder} ("little" or "big") and {@code version}. The pickle is read by the restricted
 * {@link Unpickler}; tensors are strided views of storages: contiguous float32 views are handed out as views of
 * the memory-mapped file, anything else (float16, bfloat16, non-contiguous views) is gathered into heap arrays.
 */
public final class TorchZipReader {

    private static final System.Logger LOG = System.getLogger(TorchZipReader.class.getName());

    /** data.pkl larger than this is refused: real state dicts need well under a megabyte. */
    static final long MAX_PICKLE_BYTES = 32L << 20;
    /** How deep {"model": {"state_dict": ...}} wrappers are followed. */
    private static final int MAX_WRAPPING = 4;

    private final FileRegions in;
    private final ZipArchive zip;
    private final String prefix;
    private final ByteOrder order;
    private final Map<String, ByteBuffer> storageBytes = new HashMap<>();
    private final Map<String, FloatBuffer> views = new HashMap<>();
    /** Floats copied to the heap so far, bounded by what the file can justify. */
    private long heapFloats;
    private final long heapFloatBudget;

    private TorchZipReader(FileRegions in, ZipArchive zip, String prefix, ByteOrder order) {
        this.in = in;
        this.zip = zip;
        this.prefix = prefix;
        this.order = order;
        // Copies are needed for float16/bfloat16 (2 file bytes per float) and strided views (4 bytes per float);
        // one float per file byte (twice a half-precision file's values) plus slack for tiny files is more than
        // any real checkpoint needs, and stops overlapping views from multiplying a small file.
        this.heapFloatBudget = in.size() + (1L << 20);
    }

    /** The tensors of the state dict in pickle order, with their names as stored. */
    public static List<TensorData> read(FileRegions in) throws IOException {
        ZipArchive zip = ZipArchive.open(in);
        String file = in.file().toString();
        ZipArchive.Entry pickle = null;
        for (ZipArchive.Entry e : zip.entries().values()) {
            if (e.name().equals("data.pkl") || e.name().endsWith("/data.pkl")) {
                if (pickle != null) {
                    throw new CheckpointException(file + ": zip archive holds two pickles, '" + pickle.name()
                            + "' and '" + e.name() + "'");
                }
                pickle = e;
            }
        }
        if (pickle == null) {
            for (String name : zip.entries().keySet()) {
                if (name.endsWith("constants.pkl") || name.contains("/code/")) {
                    throw new CheckpointException(file + " is a TorchScript archive (torch.jit.save), not a"
                            + " state dict; save model.state_dict() with torch.save instead");
                }
            }
            throw new CheckpointException(file + " is a zip archive without data.pkl, not a torch.save checkpoint");
        }
        String prefix = pickle.name().substring(0, pickle.name().length() - "data.pkl".length());
        ByteOrder order = byteOrder(zip, prefix, file);
        if (pickle.size() > MAX_PICKLE_BYTES) {
            throw new CheckpointException(file + ": zip entry '" + pickle.name() + "' is " + pickle.size()
                    + " bytes; state-dict pickles above " + MAX_PICKLE_BYTES + " bytes are refused");
        }
        Object root;
        try {
            root = Unpickler.load(zip.read(pickle));
        } catch (PickleException e) {
            throw new CheckpointException(file + ": " + pickle.name() + ": " + e.getMessage(), e);
        }
        return new TorchZipReader(in, zip, prefix, order).tensors(stateDict(root, file));
    }

    private static ByteOrder byteOrder(ZipArchive zip, String prefix, String file) throws IOException {
        var entry = zip.find(prefix + "byteorder");
        if (entry.isEmpty()) {
            return ByteOrder.LITTLE_ENDIAN; // written before torch recorded it, always on little-endian machines
        }
        if (entry.get().size() > 16) {
            throw new CheckpointException(file + ": zip entry '" + entry.get().name() + "' is not 'little' or 'big'");
        }
        String text = StandardCharsets.US_ASCII.decode(zip.read(entry.get())).toString().trim();
        switch (text) {
            case "little":
                return ByteOrder.LITTLE_ENDIAN;
            case "big":
                return ByteOrder.BIG_ENDIAN;
            default:
                throw new CheckpointException(file + ": zip entry '" + entry.get().name() + "' says '"
                        + text.replaceAll("[^ -~]", "?") + "', expected 'little' or 'big'");
        }
    }

    /**
     * The dict holding the tensors: the pickled object itself if it holds tensors, else its "state_dict" or
     * "model" entry (training scripts save {"model": ..., "optimizer": ..., "epoch": ...}).
     */
    private static PyDict stateDict(Object root, String file) throws CheckpointException {
        Object current = root;
        for (int level = 0; level < MAX_WRAPPING; level++) {
            if (!(current instanceof PyDict)) {
                throw new CheckpointException(file + ": the checkpoint holds " + Unpickler.typeName(current)
                        + (level == 0 ? "" : " inside its wrapper") + ", not a state dict");
            }
            PyDict dict = (PyDict) current;
            for (Object v : dict.items().values()) {
                if (v instanceof TensorRef) {
                    return dict;
                }
            }
            Object inner = dict.items().get("state_dict");
            if (!(inner instanceof PyDict)) {
                inner = dict.items().get("model");
            }
            if (!(inner instanceof PyDict)) {
                throw new CheckpointException(file + ": no tensors in the checkpoint's dict and no 'model' or"
                        + " 'state_dict' entry holding them (keys: " + describeKeys(dict) + ")");
            }
            current = inner;
        }
        throw new CheckpointException(file + ": state dict wrapped more than " + MAX_WRAPPING + " levels deep");
    }

    private List<TensorData> tensors(PyDict dict) throws IOException {
        List<TensorData> out = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<Object, Object> e : dict.items().entrySet()) {
            if (!(e.getValue() instanceof TensorRef)) {
                ignored.add(String.valueOf(e.getKey() instanceof String ? e.getKey() : Unpickler.typeName(e.getKey())));
                continue;
            }
            if (!(e.getKey() instanceof String)) {
                throw new CheckpointException(in.file() + ": a tensor is stored under " + Unpickler.typeName(e.getKey())
                        + " instead of a string key");
            }
            out.add(tensor((String) e.getKey(), (TensorRef) e.getValue()));
        }
        if (!ignored.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, () -> in.file() + ": ignored non-tensor entries " + ignored);
        }
        return out;
    }

    private TensorData tensor(String key, TensorRef ref) throws IOException {
        String where = in.file() + ": tensor '" + key + "'";
        StorageRef storage = ref.storage();
        StoredType type = storedType(storage.type());
        if (type == null) {
            throw new CheckpointException(where + " is stored as torch." + storage.type().className + " ("
                    + storage.type().dtype + "); only float32, float16 and bfloat16 weights (and int64 counters) are supported");
        }
        int rank = ref.size().length;
        int[] shape = new int[rank];
        long numel = 1;
        for (int d = 0; d < rank; d++) {
            long n = ref.size()[d];
            if (n < 0 || n > Integer.MAX_VALUE || ref.stride()[d] < 0) {
                throw new CheckpointException(where + " has size " + Arrays.toString(ref.size()) + " and stride "
                        + Arrays.toString(ref.stride()) + ": negative or too large");
            }
            shape[d] = (int) n;
            numel *= n;
            if (numel > Integer.MAX_VALUE) {
                throw new CheckpointException(where + " of size " + Arrays.toString(ref.size())
                        + " has more than 2^31-1 values, which a Java buffer cannot hold");
            }
        }
        if (storage.numel() < 0 || ref.offset() < 0) {
            throw new CheckpointException(where + " has a negative storage size or offset");
        }
        if (numel == 0) {
            return new TensorData(key, shape, type, FloatBuffer.allocate(0));
        }
        // The last element addressed by the view must lie inside the storage.
        long last = ref.offset();
        for (int d = 0; d < rank; d++) {
            // Saturating arithmetic: absurd strides must fail the bounds check, not wrap around into it.
            long step = multiplySaturated(ref.size()[d] - 1, ref.stride()[d]);
            last = last > Long.MAX_VALUE - step ? Long.MAX_VALUE : last + step;
            if (last >= storage.numel()) {
                throw new CheckpointException(where + " (offset " + ref.offset() + ", size "
                        + Arrays.toString(ref.size()) + ", stride " + Arrays.toString(ref.stride())
                        + ") reaches beyond its storage '" + storage.key() + "' of " + storage.numel() + " values");
            }
        }
        ByteBuffer bytes = storageBytes(storage, key);
        String viewKey = storage.key() + "/" + ref.offset() + "/" + Arrays.toString(ref.size()) + "/"
                + Arrays.toString(ref.stride());
        FloatBuffer values = views.get(viewKey);
        if (values == null) {
            values = isContiguous(ref) ? contiguous(bytes, type, ref.offset(), (int) numel, where)
                    : gather(bytes, type, ref, shape, (int) numel, where);
            views.put(viewKey, values);
        }
        return new TensorData(key, shape, type, values.duplicate());
    }

    private FloatBuffer contiguous(ByteBuffer storage, StoredType type, long offset, int numel, String where)
            throws CheckpointException {
        int size = Floats.bytesPerValue(type);
        ByteBuffer slice = storage.slice(Math.toIntExact(offset * size), numel * size).order(storage.order());
        if (type != StoredType.F32) {
            charge(numel, where);
        }
        return Floats.contiguous(slice, type);
    }

    /** Copies a strided view element by element, last index fastest. */
    private FloatBuffer gather(ByteBuffer storage, StoredType type, TensorRef ref, int[] shape, int numel,
                               String where) throws CheckpointException {
        charge(numel, where);
        int rank = shape.length;
        float[] out = new float[numel];
        int[] index = new int[rank];
        long base = ref.offset();
        long[] stride = ref.stride();
        int inner = shape[rank - 1];
        long innerStride = stride[rank - 1];
        int o = 0;
        while (o < numel) {
            long at = base;
            for (int d = 0; d < rank - 1; d++) {
                at += index[d] * stride[d];
            }
            for (int i = 0; i < inner; i++) {
                out[o++] = Floats.valueAt(storage, type, (int) (at + i * innerStride));
            }
            for (int d = rank - 2; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return FloatBuffer.wrap(out);
    }

    private void charge(long floats, String where) throws CheckpointException {
        heapFloats += floats;
        if (heapFloats > heapFloatBudget) {
            throw new CheckpointException(where + ": the tensors would need " + heapFloats * 4 + " bytes of copies,"
                    + " more than a file of " + in.size() + " bytes can hold (overlapping views?)");
        }
    }

    private static long multiplySaturated(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE; // both factors are non-negative here
    }

    private static boolean isContiguous(TensorRef ref) {
        long expected = 1;
        for (int d = ref.size().length - 1; d >= 0; d--) {
            if (ref.size()[d] != 1 && ref.stride()[d] != expected) {
                return false;
            }
            expected *= ref.size()[d];
        }
        return true;
    }

    private ByteBuffer storageBytes(StorageRef storage, String key) throws IOException {
        ByteBuffer b = storageBytes.get(storage.key());
        if (b != null) {
            return b;
        }
        String name = prefix + "data/" + storage.key();
        ZipArchive.Entry entry = zip.find(name).orElseThrow(() -> new CheckpointException(in.file()
                + ": tensor '" + key + "' needs storage entry '" + name + "', which the archive lacks"));
        long needed = storage.numel() * storage.type().bytes;
        if (storage.numel() > Long.MAX_VALUE / 8 || entry.size() < needed) {
            throw new CheckpointException(in.file() + ": zip entry '" + name + "' has " + entry.size()
                    + " bytes but storage '" + storage.key() + "' (torch." + storage.type().className + ") needs "
                    + storage.numel() + " values");
        }
        b = zip.map(entry, order);
        storageBytes.put(storage.key(), b);
        return b;
    }

    private static StoredType storedType(Unpickler.StorageType type) {
        switch (type) {
            case FLOAT:
                return StoredType.F32;
            case HALF:
                return StoredType.F16;
            case BFLOAT16:
                return StoredType.BF16;
            case LONG:
                return StoredType.I64;
            default:
                return null;
        }
    }

    private static String describeKeys(PyDict dict) {
        List<String> keys = new ArrayList<>();
        for (Object k : dict.items().keySet()) {
            if (keys.size() == 8) {
                keys.add("...");
                break;
            }
            keys.add(k instanceof String ? "'" + (((String) k).length() > 40 ? ((String) k).substring(0, 37) + "..."
                    : k) + "'" : Unpickler.typeName(k));
        }
        return String.join(", ", keys);
    }
}
