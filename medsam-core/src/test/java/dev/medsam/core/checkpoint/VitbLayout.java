package dev.medsam.core.checkpoint;

import dev.medsam.core.checkpoint.internal.Json;
import dev.medsam.core.testing.Fixtures;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** fixtures/sam-parity/vitb_keys.json, read with core's own JSON parser. */
final class VitbLayout {

    /** One entry of "keys": formula index k, shape, c and s. */
    record Key(int k, String key, int[] shape, long numel, double c, double s) {
    }

    final List<String> stateDictOrder;
    final List<Key> keys;
    final long totalParams;
    final int count;

    private VitbLayout(List<String> stateDictOrder, List<Key> keys, long totalParams, int count) {
        this.stateDictOrder = stateDictOrder;
        this.keys = keys;
        this.totalParams = totalParams;
        this.count = count;
    }

    static VitbLayout load() throws IOException {
        String text = Files.readString(Fixtures.samParity("vitb_keys.json"), StandardCharsets.UTF_8);
        Map<?, ?> root;
        try {
            root = (Map<?, ?>) Json.parse(text);
        } catch (Json.JsonException e) {
            throw new IOException(e);
        }
        List<String> order = new ArrayList<>();
        for (Object o : (List<?>) root.get("state_dict_order")) {
            order.add((String) o);
        }
        List<Key> keys = new ArrayList<>();
        for (Object o : (List<?>) root.get("keys")) {
            Map<?, ?> m = (Map<?, ?>) o;
            List<?> s = (List<?>) m.get("shape");
            int[] shape = new int[s.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = ((Long) s.get(i)).intValue();
            }
            keys.add(new Key(((Long) m.get("k")).intValue(), (String) m.get("key"), shape, (Long) m.get("numel"),
                    ((Number) m.get("c")).doubleValue(), ((Number) m.get("s")).doubleValue()));
        }
        return new VitbLayout(order, keys, (Long) root.get("total_params"), ((Long) root.get("count")).intValue());
    }

    /** Shapes by key, in state-dict order. */
    Map<String, int[]> shapesInStateDictOrder() {
        Map<String, int[]> byKey = new LinkedHashMap<>();
        for (Key k : keys) {
            byKey.put(k.key(), k.shape());
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        for (String k : stateDictOrder) {
            out.put(k, byKey.get(k));
        }
        return out;
    }

    /**
     * A state dict with this layout whose tensors all share one zero buffer (views of different lengths), so
     * the 93.7M-value layout costs 9 MB.
     */
    static StateDict zeroWeights(Map<String, int[]> shapes) {
        long max = 0;
        for (int[] s : shapes.values()) {
            max = Math.max(max, numel(s));
        }
        FloatBuffer zeros = FloatBuffer.allocate(Math.toIntExact(max));
        List<TensorData> tensors = new ArrayList<>();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            FloatBuffer view = zeros.duplicate();
            view.limit(Math.toIntExact(numel(e.getValue())));
            tensors.add(new TensorData(e.getKey(), e.getValue(), StoredType.F32, view));
        }
        return StateDict.of(tensors);
    }

    static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
