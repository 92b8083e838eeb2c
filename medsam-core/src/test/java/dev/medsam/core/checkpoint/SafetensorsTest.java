package dev.medsam.core.checkpoint;

import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.testing.SafetensorsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private CheckpointException refused(byte[] bytes) throws IOException {
        Path p = write("bad.safetensors", bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(p));
        assertTrue(e.getMessage().contains(p.toString()), () -> "message does not name the file: " + e.getMessage());
        return e;
    }

    @Test
    void readsFloat32InHeaderOrderAsZeroCopyViews() throws IOException {
        byte[] bytes = new SafetensorsBuilder()
                .metadata("format", "pt")
                .addF32("b.weight", new int[] {2, 3}, 1, 2, 3, 4, 5, 6)
                .addF32("a.bias", new int[] {2}, -1.5f, Float.MIN_VALUE)
                .addF32("scalar", new int[] {}, 7)
                .addF32("empty", new int[] {0, 4})
                .build();
        StateDict sd = Checkpoints.read(write("t.safetensors", bytes));
        assertEquals(List.of("b.weight", "a.bias", "scalar", "empty"), List.copyOf(sd.keys()));
        TensorData w = sd.get("b.weight");
        assertArrayEquals(new int[] {2, 3}, w.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.toArray());
        assertEquals(StoredType.F32, w.storedType());
        assertTrue(w.values().isDirect(), "float32 data should be a view of the mapped file");
        assertArrayEquals(new float[] {-1.5f, Float.MIN_VALUE}, sd.get("a.bias").toArray());
        assertArrayEquals(new float[] {7}, sd.get("scalar").toArray());
        assertEquals(0, sd.get("empty").size());
        assertEquals(Set.of(StoredType.F32), sd.storedTypes());
    }

    @Test
    void widensHalfAndBfloat16Exactly() throws IOException {
        // Bit patterns with known values: 1, -2, 1/3 rounded, max half, smallest subnormal, -0, +inf.
        int[] half = {0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x8000, 0x7C00};
        float[] halfValues = {1f, -2f, 0.333251953125f, 65504f, 5.9604645e-8f, -0f, Float.POSITIVE_INFINITY};
        int[] bf = {0x3F80, 0xC040, 0x3EAB, 0x7F80, 0x0001};
        float[] bfValues = {1f, -3f, 0.333984375f, Float.POSITIVE_INFINITY, Float.intBitsToFloat(0x00010000)};
        byte[] bytes = new SafetensorsBuilder()
                .add("h", "F16", new int[] {7}, SafetensorsBuilder.u16(half))
                .add("b", "BF16", new int[] {5}, SafetensorsBuilder.u16(bf))
                .build();
        StateDict sd = Checkpoints.read(write("half.safetensors", bytes));
        assertEquals(StoredType.F16, sd.get("h").storedType());
        assertEquals(StoredType.BF16, sd.get("b").storedType());
        float[] h = sd.get("h").toArray();
        for (int i = 0; i < h.length; i++) {
            assertEquals(Float.floatToRawIntBits(halfValues[i]), Float.floatToRawIntBits(h[i]), "half value " + i);
        }
        assertArrayEquals(bfValues, sd.get("b").toArray());
    }

    @Test
    void stripsModuleAndModelPrefixesSharedByAllKeys() throws IOException {
        byte[] bytes = new SafetensorsBuilder()
                .addF32("module.model.x", new int[] {1}, 1)
                .addF32("module.model.y", new int[] {1}, 2)
                .build();
        assertEquals(List.of("x", "y"), List.copyOf(Checkpoints.read(write("p.safetensors", bytes)).keys()));
        byte[] mixed = new SafetensorsBuilder()
                .addF32("model.x", new int[] {1}, 1)
                .addF32("y", new int[] {1}, 2)
                .build();
        assertEquals(List.of("model.x", "y"), List.copyOf(Checkpoints.read(write("m.safetensors", mixed)).keys()));
    }

    @Test
    void refusesUnsupportedDtypeNamingTheKey() throws IOException {
        byte[] bytes = new SafetensorsBuilder()
                .addF32("ok", new int[] {1}, 1)
                .add("counts", "I32", new int[] {1}, new byte[4])
                .build();
        String m = refused(bytes).getMessage();
        assertTrue(m.contains("'counts'") && m.contains("I32"), m);
    }

    @Test
    void readsInt64CountersAsFloats() throws IOException {
        byte[] counter = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(4242).array();
        byte[] bytes = new SafetensorsBuilder()
                .addF32("bn.weight", new int[] {1}, 1)
                .add("bn.num_batches_tracked", "I64", new int[] {}, counter)
                .build();
        StateDict sd = Checkpoints.read(write("bn.safetensors", bytes));
        assertEquals(StoredType.I64, sd.get("bn.num_batches_tracked").storedType());
        assertArrayEquals(new float[] {4242}, sd.get("bn.num_batches_tracked").toArray());
    }

    @Test
    void refusesHeaderLongerThanTheFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1L << 40).put("{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        // Starts like safetensors only when the length fits, so this is "not a checkpoint" or a length error.
        refused(b.array());
        byte[] ok = new SafetensorsBuilder().addF32("x", new int[] {2}, 1, 2).build();
        ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN).putLong(0, ok.length - 8 + 1);
        refused(ok);
    }

    @Test
    void refusesOffsetsThatDoNotMatchShapeOrFile() throws IOException {
        byte[] data = SafetensorsBuilder.f32(1, 2, 3);
        String m = refused(SafetensorsBuilder.file(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", data)).getMessage();
        assertTrue(m.contains("'x'") && m.contains("needs 8 bytes"), m);
        m = refused(SafetensorsBuilder.file(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[4,16]}}", data)).getMessage();
        assertTrue(m.contains("'x'") && m.contains("beyond the data area"), m);
        m = refused(SafetensorsBuilder.file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", SafetensorsBuilder.f32(1, 2))).getMessage();
        assertTrue(m.contains("inside the previous tensor"), m);
        m = refused(SafetensorsBuilder.file(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data)).getMessage();
        assertTrue(m.contains("truncated or padded"), m);
        m = refused(SafetensorsBuilder.file(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", data)).getMessage();
        assertTrue(m.contains("invalid shape entry -1"), m);
    }

    @Test
    void refusesMalformedHeaders() throws IOException {
        String[] headers = {
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}",          // unterminated
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},}",        // trailing comma
            "{\"x\":1,\"x\":2}",                                                       // duplicate name
            "[1,2]",                                                                   // not an object
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} x",       // trailing garbage
            "{\"__metadata__\":{\"a\":1}}",                                            // non-string metadata
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",       // fractional dim
            "{\"x\":{\"shape\":[1],\"data_offsets\":[0,4]}}",                           // no dtype
        };
        for (String h : headers) {
            String m = refused(SafetensorsBuilder.file(h, SafetensorsBuilder.f32(1))).getMessage();
            assertFalse(m.isBlank(), h);
        }
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            deep.append('[');
        }
        assertTrue(refused(SafetensorsBuilder.file("{\"x\":" + deep, new byte[0])).getMessage().contains("nesting"));
    }

    @Test
    void readsTheTinyFixture() throws IOException {
        StateDict sd = Checkpoints.read(Fixtures.samParity("weights/tiny_sam.safetensors"));
        assertEquals(Set.of(StoredType.F32), sd.storedTypes());
        assertArrayEquals(new int[] {96, 3, 16, 16}, sd.get("image_encoder.patch_embed.proj.weight").shape());
    }
}
