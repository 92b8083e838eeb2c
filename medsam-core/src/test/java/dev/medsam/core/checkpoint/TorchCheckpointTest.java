package dev.medsam.core.checkpoint;

import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.testing.PickleWriter.Tensor;
import dev.medsam.core.testing.PickleWriter;
import dev.medsam.core.testing.SafetensorsBuilder;
import dev.medsam.core.testing.TorchZipBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchCheckpointTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- the tiny fixture, both formats

    @Test
    void tinyPthAndSafetensorsHoldBitwiseIdenticalTensors() throws IOException {
        StateDict pth = Checkpoints.read(Fixtures.samParity("weights/tiny_sam.pth"));
        StateDict st = Checkpoints.read(Fixtures.samParity("weights/tiny_sam.safetensors"));
        assertEquals(st.keys(), pth.keys()); // same set
        assertEquals(Set.of(StoredType.F32), pth.storedTypes());
        for (TensorData a : pth.tensors()) {
            TensorData b = st.get(a.name());
            assertArrayEquals(b.shape(), a.shape(), a.name());
            assertTrue(a.values().isDirect(), a.name() + " should be a view of the mapped file");
            assertBitwiseEqual(b.values(), a.values(), a.name());
        }
        // File order: the .pth keeps PyTorch's state_dict order, safetensors sorts its header by name.
        SamCheckpoint viaPth = SamCheckpoint.load(Fixtures.samParity("weights/tiny_sam.pth"));
        SamCheckpoint viaSt = SamCheckpoint.load(Fixtures.samParity("weights/tiny_sam.safetensors"));
        List<String> expectedOrder = new ArrayList<>(viaPth.architecture().expectedShapes().keySet());
        assertEquals(expectedOrder, new ArrayList<>(pth.keys()));
        assertEquals(expectedOrder, new ArrayList<>(viaPth.weights().keys()));
        assertEquals(expectedOrder, new ArrayList<>(viaSt.weights().keys()));
        assertEquals(viaPth.architecture(), viaSt.architecture());
        assertEquals(pth.parameterCount(), viaSt.weights().parameterCount());
        assertTrue(viaPth.source().endsWith("tiny_sam.pth"));
        Map<String, int[]> shapes = viaPth.architecture().expectedShapes();
        for (TensorData t : viaPth.weights().tensors()) {
            assertArrayEquals(shapes.get(t.name()), t.shape(), t.name());
        }
    }

    private static void assertBitwiseEqual(FloatBuffer expected, FloatBuffer actual, String name) {
        assertEquals(expected.remaining(), actual.remaining(), name);
        for (int i = 0; i < expected.remaining(); i++) {
            if (Float.floatToRawIntBits(expected.get(i)) != Float.floatToRawIntBits(actual.get(i))) {
                throw new AssertionError(name + " differs at " + i + ": " + expected.get(i) + " vs " + actual.get(i));
            }
        }
    }

    // ---------------------------------------------------------------- generated checkpoints

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] f32(float... v) {
        return SafetensorsBuilder.f32(v);
    }

    private static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    private static Tensor t(String cls, String key, long numel, long offset, long[] size, long[] stride) {
        return new Tensor(cls, key, numel, offset, size, stride);
    }

    private Path checkpoint(Map<String, Tensor> tensors, Map<String, byte[]> storages) throws IOException {
        byte[] pickle = new PickleWriter().proto(2).stateDict(tensors).stop().bytes();
        return write("c.pth", TorchZipBuilder.checkpoint("c", pickle, storages, "little").build());
    }

    @Test
    void readsStridedAndOffsetViewsOfSharedStorages() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        // storage 0: 24 floats 0..23
        tensors.put("transposed", t("FloatStorage", "0", 24, 0, new long[] {4, 3}, new long[] {1, 4}));
        tensors.put("window", t("FloatStorage", "0", 24, 5, new long[] {2, 2}, new long[] {6, 1}));
        tensors.put("rows", t("FloatStorage", "0", 24, 12, new long[] {2, 6}, new long[] {6, 1}));
        tensors.put("broadcast", t("FloatStorage", "0", 24, 2, new long[] {2, 3}, new long[] {0, 1}));
        tensors.put("every_other", t("FloatStorage", "0", 24, 1, new long[] {3, 2, 2}, new long[] {8, 4, 2}));
        tensors.put("scalar", t("FloatStorage", "0", 24, 23, new long[] {}, new long[] {}));
        tensors.put("unit_dims", t("FloatStorage", "0", 24, 3, new long[] {1, 3, 1}, new long[] {99, 1, 7}));
        tensors.put("empty", t("FloatStorage", "0", 24, 0, new long[] {0, 5}, new long[] {5, 1}));
        StateDict sd = Checkpoints.read(checkpoint(tensors, Map.of("0", f32(iota(24)))));
        assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(sd.keys()));
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, sd.get("transposed").toArray());
        assertArrayEquals(new float[] {5, 6, 11, 12}, sd.get("window").toArray());
        assertArrayEquals(new float[] {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, sd.get("rows").toArray());
        assertTrue(sd.get("rows").values().isDirect(), "contiguous float32 views are not copied");
        assertFalse(sd.get("transposed").values().isDirect(), "strided views are gathered");
        assertArrayEquals(new float[] {2, 3, 4, 2, 3, 4}, sd.get("broadcast").toArray());
        assertArrayEquals(new float[] {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23}, sd.get("every_other").toArray());
        assertArrayEquals(new float[] {23}, sd.get("scalar").toArray());
        assertArrayEquals(new int[] {}, sd.get("scalar").shape());
        assertArrayEquals(new float[] {3, 4, 5}, sd.get("unit_dims").toArray());
        assertArrayEquals(new int[] {0, 5}, sd.get("empty").shape());
        assertEquals(0, sd.get("empty").size());
    }

    /** Issue 19, case 9: a size of 2^100 is named as such, not as "an int, expected an int". */
    @Test
    void aSizeBeyondSixtyFourBitsIsNamed() throws IOException {
        PickleWriter w = new PickleWriter().proto(2).global("collections", "OrderedDict").emptyTuple().reduce()
                .mark().str("w");
        w.global("torch._utils", "_rebuild_tensor_v2").mark();
        w.mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(4).tuple().op('Q');
        w.integer(0);
        w.mark().op(0x8a, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10).tuple(); // LONG1: 2^100
        w.ints(new long[] {1}).bool(false).global("collections", "OrderedDict").emptyTuple().reduce();
        w.tuple().reduce().setItems().stop();
        Path p = write("big.pth", TorchZipBuilder.checkpoint("c", w.bytes(), Map.of("0", f32(iota(4))), "little")
                .build());
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(p));
        assertTrue(e.getMessage().contains("is a 101-bit integer, beyond the 64-bit range"), e.getMessage());
    }

    @Test
    void widensHalfAndBfloat16Storages() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("h", t("HalfStorage", "0", 6, 0, new long[] {6}, new long[] {1}));
        tensors.put("h_t", t("HalfStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3}));
        tensors.put("b", t("BFloat16Storage", "1", 4, 1, new long[] {3}, new long[] {1}));
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", SafetensorsBuilder.u16(0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0xFC00));
        storages.put("1", SafetensorsBuilder.u16(0x0000, 0x3F80, 0xC040, 0x3EAB));
        StateDict sd = Checkpoints.read(checkpoint(tensors, storages));
        assertEquals(StoredType.F16, sd.get("h").storedType());
        assertEquals(StoredType.BF16, sd.get("b").storedType());
        assertArrayEquals(new float[] {1f, -2f, 0.333251953125f, 65504f, 5.9604645e-8f, Float.NEGATIVE_INFINITY},
                sd.get("h").toArray());
        assertArrayEquals(new float[] {1f, 65504f, -2f, 5.9604645e-8f, 0.333251953125f, Float.NEGATIVE_INFINITY},
                sd.get("h_t").toArray());
        assertArrayEquals(new float[] {1f, -3f, 0.333984375f}, sd.get("b").toArray());
        assertEquals(Set.of(StoredType.F16, StoredType.BF16), sd.storedTypes());
    }

    @Test
    void readsBigEndianStoragesAndZip64Archives() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("x", t("FloatStorage", "0", 3, 0, new long[] {3}, new long[] {1}));
        tensors.put("h", t("HalfStorage", "1", 1, 0, new long[] {1}, new long[] {1}));
        byte[] pickle = new PickleWriter().proto(2).stateDict(tensors).stop().bytes();
        ByteBuffer be = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(3e-3f);
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", be.array());
        storages.put("1", new byte[] {(byte) 0x3C, 0x00});
        Path p = write("be.pth", TorchZipBuilder.checkpoint("be", pickle, storages, "big").zip64(true).build());
        StateDict sd = Checkpoints.read(p);
        assertArrayEquals(new float[] {1.5f, -2f, 3e-3f}, sd.get("x").toArray());
        assertArrayEquals(new float[] {1f}, sd.get("h").toArray());
        assertFalse(sd.get("x").isNativeOrder() && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void unwrapsModelAndStateDictEntriesAndStripsPrefixes() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("module.a", t("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}));
        tensors.put("module.b", t("FloatStorage", "0", 2, 1, new long[] {1}, new long[] {1}));
        for (String wrapper : List.of("model", "state_dict")) {
            PickleWriter w = new PickleWriter().proto(2).emptyDict().mark()
                    .str("epoch").integer(41)
                    .str("lr").op('G', 0x3f, 0x50, 0x62, 0x4d, 0xd2, 0xf1, 0xa9, 0xfc) // 0.001
                    .str("note").none()
                    .str(wrapper).stateDict(tensors)
                    .setItems().stop();
            Path p = write(wrapper + ".pth", TorchZipBuilder.checkpoint("w", w.bytes(), Map.of("0", f32(7, 8)), null).build());
            StateDict sd = Checkpoints.read(p);
            assertEquals(List.of("a", "b"), new ArrayList<>(sd.keys()), wrapper);
            assertArrayEquals(new float[] {8}, sd.get("b").toArray());
        }
    }

    @Test
    void acceptsRebuildParameterAndProtocol4Framing() throws IOException {
        PickleWriter w = new PickleWriter().proto(4).op(0x95, 0, 0, 0, 0, 0, 0, 0, 0) // FRAME
                .emptyDict().op(0x94) // MEMOIZE
                .str("p").op(0x94)
                .stackGlobal("torch._utils", "_rebuild_parameter")
                .tensor(t("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}))
                .bool(true).global("collections", "OrderedDict").emptyTuple().reduce().op(0x87) // TUPLE3
                .reduce().setItem().stop();
        StateDict sd = Checkpoints.read(write("p.pth", TorchZipBuilder.checkpoint("p", w.bytes(),
                Map.of("0", f32(1, 2)), "little").build()));
        assertArrayEquals(new float[] {1, 2}, sd.get("p").toArray());
    }

    // ---------------------------------------------------------------- refusals

    private CheckpointException refused(Path p, String... expected) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(p));
        assertTrue(e.getMessage().contains(p.toString()), () -> "no file name in: " + e.getMessage());
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), () -> "expected '" + s + "' in: " + e.getMessage());
        }
        return e;
    }

    private Path pickleOnly(String name, PickleWriter w) throws IOException {
        return write(name, TorchZipBuilder.checkpoint("x", w.bytes(), Map.of("0", f32(1)), "little").build());
    }

    @Test
    void refusesDisallowedGlobalsByName() throws IOException {
        // The classic exploit shape: os.system("...") via GLOBAL + REDUCE.
        Path exploit = pickleOnly("exploit.pth", new PickleWriter().proto(2).global("os", "system")
                .str("touch /tmp/pwned").op(0x85).reduce().stop());
        refused(exploit, "refusing to load global 'os.system'", "x/data.pkl", "offset 2");
        Path builtins = pickleOnly("eval.pth", new PickleWriter().proto(4).stackGlobal("builtins", "eval")
                .str("1+1").op(0x85).reduce().stop());
        refused(builtins, "refusing to load global 'builtins.eval'");
        // Hidden inside an otherwise valid state dict, in an ignored entry: still refused.
        Path hidden = pickleOnly("hidden.pth", new PickleWriter().proto(2).emptyDict().mark()
                .str("model").stateDict(Map.of("w", t("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1})))
                .str("args").global("argparse", "Namespace").emptyTuple().reduce()
                .setItems().stop());
        refused(hidden, "refusing to load global 'argparse.Namespace'");
        Path newobj = pickleOnly("newobj.pth", new PickleWriter().proto(2).global("collections", "OrderedDict")
                .emptyTuple().op(0x81).stop());
        refused(newobj, "refusing to create an object (opcode NEWOBJ)");
        Path notStorage = pickleOnly("storage.pth", new PickleWriter().proto(2).global("torch", "load").stop());
        refused(notStorage, "refusing to load global 'torch.load'");
    }

    @Test
    void refusesTheLegacyFormatWithAHint() throws IOException {
        byte[] legacy = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9,
            0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e, (byte) 0x80, 0x02, 0x4d, (byte) 0xe9, 0x03, 0x2e};
        refused(write("old.pth", legacy), "legacy format", "torch.save(torch.load(f), f2)");
    }

    @Test
    void refusesUnsupportedDtypesNamingTheTensor() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("ok", t("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}));
        tensors.put("mask", t("IntStorage", "1", 1, 0, new long[] {}, new long[] {}));
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", f32(1));
        storages.put("1", new byte[4]);
        refused(checkpoint(tensors, storages), "'mask'", "torch.IntStorage", "int32");
    }

    @Test
    void readsInt64CountersAsFloats() throws IOException {
        // BatchNorm's num_batches_tracked: a 0-d LongStorage view, as in LiteMedSAM's state dict.
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("bn.num_batches_tracked", t("LongStorage", "0", 3, 1, new long[] {}, new long[] {}));
        tensors.put("pair", t("LongStorage", "0", 3, 0, new long[] {2}, new long[] {2}));
        ByteBuffer longs = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        longs.putLong(-7).putLong(123_456).putLong(1L << 20);
        StateDict sd = Checkpoints.read(checkpoint(tensors, Map.of("0", longs.array())));
        assertEquals(StoredType.I64, sd.get("bn.num_batches_tracked").storedType());
        assertArrayEquals(new float[] {123_456}, sd.get("bn.num_batches_tracked").toArray());
        assertArrayEquals(new float[] {-7, 1 << 20}, sd.get("pair").toArray());
    }

    @Test
    void refusesViewsOutsideTheirStorageAndMissingOrShortEntries() throws IOException {
        Map<String, Tensor> beyond = Map.of("w", t("FloatStorage", "0", 4, 2, new long[] {2, 2}, new long[] {2, 1}));
        refused(checkpoint(beyond, Map.of("0", f32(1, 2, 3, 4))), "'w'", "beyond its storage '0' of 4 values");
        Map<String, Tensor> hugeStride = Map.of("w", t("FloatStorage", "0", 4, 0, new long[] {3}, new long[] {Long.MAX_VALUE / 2}));
        refused(checkpoint(hugeStride, Map.of("0", f32(1, 2, 3, 4))), "beyond its storage");
        Map<String, Tensor> missing = Map.of("w", t("FloatStorage", "7", 1, 0, new long[] {1}, new long[] {1}));
        refused(checkpoint(missing, Map.of("0", f32(1))), "'w'", "storage entry 'c/data/7'");
        Map<String, Tensor> shortEntry = Map.of("w", t("FloatStorage", "0", 4, 0, new long[] {1}, new long[] {1}));
        refused(checkpoint(shortEntry, Map.of("0", f32(1, 2))), "zip entry 'c/data/0' has 8 bytes");
        Map<String, Tensor> negative = Map.of("w", t("FloatStorage", "0", 1, 0, new long[] {-1}, new long[] {1}));
        refused(checkpoint(negative, Map.of("0", f32(1))), "'w'", "negative");
    }

    @Test
    void refusesCorruptStorageBytesByCrc() throws IOException {
        Map<String, Tensor> tensors = Map.of("w", t("FloatStorage", "0", 16, 0, new long[] {16}, new long[] {1}));
        byte[] pickle = new PickleWriter().proto(2).stateDict(tensors).stop().bytes();
        byte[] zip = TorchZipBuilder.checkpoint("c", pickle, Map.of("0", f32(iota(16))), "little").build();
        // Flip one bit inside the float data (entry data is 64-byte aligned; find the value 5.0f).
        byte[] five = f32(5f);
        int at = indexOf(zip, five);
        zip[at + 3] ^= 0x01;
        refused(write("flip.pth", zip), "zip entry 'c/data/0' is corrupt (CRC-32");
    }

    @Test
    void refusesArchivesThatAreNotStateDicts() throws IOException {
        refused(write("script.pt", new TorchZipBuilder().entry("m/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'})
                .entry("m/code/__torch__/m.py", new byte[1]).build()), "TorchScript");
        refused(write("plain.zip", new TorchZipBuilder().entry("readme.txt", new byte[3]).build()), "without data.pkl");
        refused(pickleOnly("list.pth", new PickleWriter().proto(2).op(']').stop()), "holds a list, not a state dict");
        refused(pickleOnly("nodict.pth", new PickleWriter().proto(2).emptyDict().str("epoch").integer(3).setItem().stop()),
                "no 'model' or 'state_dict' entry", "'epoch'");
        refused(pickleOnly("trunc.pth", new PickleWriter().proto(2).emptyDict()), "without a STOP opcode");
        refused(write("bare.pkl", new PickleWriter().proto(2).emptyDict().stop().bytes()), "bare Python pickle");
        refused(write("text.pth", "hello world".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                "not a PyTorch (.pth) or safetensors checkpoint", "68 65 6c 6c");
        refused(write("empty.pth", new byte[0]), "is empty");
        Path missing = dir.resolve("nope.pth");
        refused(missing, "checkpoint not found");
        refused(dir, "is a directory");
        Path device = Path.of("/dev/null");
        if (Files.exists(device)) {
            refused(device, "is not a regular file");
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
