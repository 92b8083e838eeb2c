package dev.medsam.core.checkpoint.internal;

import dev.medsam.core.checkpoint.CheckpointException;
import dev.medsam.core.checkpoint.StoredType;
import dev.medsam.core.checkpoint.TensorData;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a safetensors file: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON mapping
 * each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the byte
 * after the header) plus an optional {@code __metadata__} object of strings, then the tensor bytes,
 * little-endian, C order. As the reference implementation does, the tensors must cover the data area exactly,
 * without gaps or overlaps. Float32 tensors are views of a memory mapping; float16 and bfloat16 are widened
 * into heap arrays.
 */
public final class SafetensorsReader {

    /** The reference implementation's limit on the header size. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final Set<String> KNOWN_UNSUPPORTED = Set.of("F64", "I32", "I16", "I8", "U64", "U32",
            "U16", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");

    private SafetensorsReader() {
    }

    /** Whether {@code head} (the first bytes of a file of {@code fileSize} bytes) looks like safetensors. */
    public static boolean looksLike(ByteBuffer head, long fileSize) {
        if (head.remaining() < 9) {
            return false;
        }
        long n = head.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return n >= 2 && n <= fileSize - 8 && head.get(8) == '{';
    }

    /** The tensors in header order, with their names as stored. */
    public static List<TensorData> read(FileRegions in) throws IOException {
        String file = in.file().toString();
        if (in.size() < 8) {
            throw new CheckpointException(file + ": safetensors file too short for its 8-byte header length");
        }
        long headerLength = in.read(0, 8, "safetensors header length").getLong(0);
        if (headerLength < 2 || headerLength > in.size() - 8) {
            throw new CheckpointException(file + ": safetensors header length " + Long.toUnsignedString(headerLength)
                    + " does not fit in the file (" + in.size() + " bytes)");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new CheckpointException(file + ": safetensors header of " + headerLength
                    + " bytes exceeds the format's limit of " + MAX_HEADER_BYTES);
        }
        ByteBuffer headerBytes = in.read(8, headerLength, "safetensors header");
        String headerText;
        try {
            headerText = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file + ": safetensors header is not valid UTF-8", e);
        }
        Object parsed;
        try {
            parsed = Json.parse(headerText);
        } catch (Json.JsonException e) {
            throw new CheckpointException(file + ": safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map)) {
            throw new CheckpointException(file + ": safetensors header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataLength = in.size() - dataStart;

        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) parsed).entrySet()) {
            String key = (String) e.getKey();
            if (key.equals("__metadata__")) {
                checkMetadata(file, e.getValue());
                continue;
            }
            entries.add(entry(file, key, e.getValue(), dataLength));
        }

        // The format requires the tensors to tile the data area: sorted by offset, each starts where the
        // previous one ended, and the last ends at the end of the file.
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong((Entry x) -> x.begin).thenComparingLong(x -> x.end));
        long expected = 0;
        for (Entry x : byOffset) {
            if (x.begin != expected) {
                throw new CheckpointException(file + ": tensor '" + x.key + "' starts at data offset " + x.begin
                        + (x.begin < expected ? " inside the previous tensor" : " leaving a gap after offset " + expected)
                        + " (tensors must tile the data area)");
            }
            expected = x.end;
        }
        if (expected != dataLength) {
            throw new CheckpointException(file + ": the tensors cover " + expected + " bytes but the data area has "
                    + dataLength + " (truncated or padded file)");
        }

        List<TensorData> tensors = new ArrayList<>(entries.size());
        for (Entry x : entries) {
            ByteBuffer bytes = in.region(dataStart + x.begin, x.end - x.begin, ByteOrder.LITTLE_ENDIAN,
                    "tensor '" + x.key + "'");
            tensors.add(new TensorData(x.key, x.shape, x.type, Floats.contiguous(bytes, x.type)));
        }
        return tensors;
    }

    private record Entry(String key, StoredType type, int[] shape, long begin, long end) {
    }

    private static Entry entry(String file, String key, Object value, long dataLength) throws CheckpointException {
        String where = file + ": safetensors tensor '" + key + "'";
        if (!(value instanceof Map)) {
            throw new CheckpointException(where + " is not described by a JSON object");
        }
        Map<?, ?> info = (Map<?, ?>) value;
        Object dtype = info.get("dtype");
        if (!(dtype instanceof String)) {
            throw new CheckpointException(where + " has no \"dtype\" string");
        }
        StoredType type = storedType(where, (String) dtype);
        int[] shape = shape(where, info.get("shape"));
        long[] offsets = offsets(where, info.get("data_offsets"));
        long numel = 1;
        for (int d : shape) {
            numel *= d; // each d < 2^31 and the running product is checked below, so no overflow
            if (numel > Integer.MAX_VALUE) {
                throw new CheckpointException(where + " has " + Arrays.toString(shape)
                        + ": more than 2^31-1 values, which a Java buffer cannot hold");
            }
        }
        long nbytes = numel * Floats.bytesPerValue(type);
        if (offsets[1] > dataLength) {
            throw new CheckpointException(where + " ends at data offset " + offsets[1] + ", beyond the data area ("
                    + dataLength + " bytes); the file is truncated or corrupt");
        }
        if (offsets[1] - offsets[0] != nbytes) {
            throw new CheckpointException(where + " of shape " + Arrays.toString(shape) + " and dtype " + dtype
                    + " needs " + nbytes + " bytes but data_offsets " + Arrays.toString(offsets) + " span "
                    + (offsets[1] - offsets[0]));
        }
        return new Entry(key, type, shape, offsets[0], offsets[1]);
    }

    private static StoredType storedType(String where, String dtype) throws CheckpointException {
        switch (dtype) {
            case "F32":
                return StoredType.F32;
            case "F16":
                return StoredType.F16;
            case "BF16":
                return StoredType.BF16;
            case "I64":
                return StoredType.I64;
            default:
                String what = KNOWN_UNSUPPORTED.contains(dtype) ? "dtype " : "unknown dtype ";
                throw new CheckpointException(where + " has " + what + quoted(dtype)
                        + "; only F32, F16 and BF16 weights (and I64 counters) are supported");
        }
    }

    private static int[] shape(String where, Object value) throws CheckpointException {
        if (!(value instanceof List)) {
            throw new CheckpointException(where + " has no \"shape\" array");
        }
        List<?> list = (List<?>) value;
        if (list.size() > 64) {
            throw new CheckpointException(where + " has " + list.size() + " dimensions (at most 64 supported)");
        }
        int[] shape = new int[list.size()];
        for (int i = 0; i < shape.length; i++) {
            Object d = list.get(i);
            if (!(d instanceof Long) || (Long) d < 0 || (Long) d > Integer.MAX_VALUE) {
                throw new CheckpointException(where + " has an invalid shape entry " + d + " at dimension " + i);
            }
            shape[i] = (int) (long) (Long) d;
        }
        return shape;
    }

    private static long[] offsets(String where, Object value) throws CheckpointException {
        if (!(value instanceof List) || ((List<?>) value).size() != 2) {
            throw new CheckpointException(where + " has no \"data_offsets\" pair [begin, end]");
        }
        List<?> list = (List<?>) value;
        long[] out = new long[2];
        for (int i = 0; i < 2; i++) {
            Object o = list.get(i);
            if (!(o instanceof Long) || (Long) o < 0) {
                throw new CheckpointException(where + " has an invalid data offset " + o);
            }
            out[i] = (Long) o;
        }
        if (out[1] < out[0]) {
            throw new CheckpointException(where + " has data_offsets " + Arrays.toString(out) + " with end < begin");
        }
        return out;
    }

    private static void checkMetadata(String file, Object value) throws CheckpointException {
        if (!(value instanceof Map)) {
            throw new CheckpointException(file + ": safetensors __metadata__ is not a JSON object");
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw new CheckpointException(file + ": safetensors __metadata__ entry '" + e.getKey()
                        + "' is not a string");
            }
        }
    }

    private static String quoted(String s) {
        return "'" + (s.length() <= 40 ? s : s.substring(0, 37) + "...") + "'";
    }
}
