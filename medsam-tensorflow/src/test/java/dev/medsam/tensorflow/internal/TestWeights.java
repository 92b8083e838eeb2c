package dev.medsam.tensorflow.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.checkpoint.StateDict;
import dev.medsam.core.checkpoint.StoredType;
import dev.medsam.core.checkpoint.TensorData;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Test weights. TEMPORARY safetensors reader until core's Checkpoints is merged. */
final class TestWeights {

    private TestWeights() {
    }

    /** The vit_b formula weights of the parity fixtures (see vitb_keys.json). TEMPORARY until core's FormulaWeights. */
    static StateDict formulaVitB() throws IOException {
        JsonNode keys = new ObjectMapper().readTree(dev.medsam.core.testing.Fixtures.samParity("vitb_keys.json").toFile()).get("keys");
        List<TensorData> out = new ArrayList<>();
        for (JsonNode e : keys) {
            int k = e.get("k").asInt();
            double c = e.get("c").asDouble();
            double sc = e.get("s").asDouble();
            int[] shape = new int[e.get("shape").size()];
            int n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.get("shape").get(i).asInt();
                n *= shape[i];
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (c + sc * Math.sin((0.7310585 * (double) i) + (1.3 * (double) k)));
            }
            out.add(new TensorData(e.get("key").asText(), shape, StoredType.F32, java.nio.FloatBuffer.wrap(v)));
        }
        return StateDict.of(out);
    }

    static StateDict safetensors(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = bb.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLen, java.nio.charset.StandardCharsets.UTF_8));
        List<TensorData> out = new ArrayList<>();
        int base = 8 + (int) headerLen;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode n = e.getValue();
            int[] shape = new int[n.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = n.get("shape").get(i).asInt();
            }
            long a = n.get("data_offsets").get(0).asLong();
            long b = n.get("data_offsets").get(1).asLong();
            ByteBuffer slice = ByteBuffer.wrap(bytes, base + (int) a, (int) (b - a)).slice().order(ByteOrder.LITTLE_ENDIAN);
            out.add(new TensorData(e.getKey(), shape, StoredType.F32, slice.asFloatBuffer()));
        }
        return StateDict.of(out);
    }
}
