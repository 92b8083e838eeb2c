package dev.medsam.core.checkpoint.internal;

import dev.medsam.core.checkpoint.TensorData;
import dev.medsam.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Files above 2 GiB (SAM ViT-H) cannot be mapped as one buffer and are mapped per region instead. That path is
 * exercised on the tiny fixtures by lowering the whole-file limit, and must give the same tensors.
 */
class FileRegionsTest {

    @Test
    void perRegionMappingGivesTheSameTensors() throws IOException {
        for (String name : List.of("weights/tiny_sam.pth", "weights/tiny_sam.safetensors")) {
            Path file = Fixtures.samParity(name);
            boolean pth = name.endsWith(".pth");
            List<TensorData> whole;
            List<TensorData> regions;
            try (FileRegions in = FileRegions.open(file)) {
                whole = pth ? TorchZipReader.read(in) : SafetensorsReader.read(in);
            }
            try (FileRegions in = FileRegions.open(file, 0)) {
                regions = pth ? TorchZipReader.read(in) : SafetensorsReader.read(in);
            }
            assertEquals(whole.size(), regions.size());
            int mapped = 0;
            for (int i = 0; i < whole.size(); i++) {
                TensorData a = whole.get(i);
                TensorData b = regions.get(i);
                assertEquals(a.name(), b.name());
                assertArrayEquals(a.toArray(), b.toArray(), a.name());
                mapped += b.values().isDirect() ? 1 : 0;
            }
            // Tensors of 1 MiB and more are mapped, smaller ones copied.
            assertEquals(whole.stream().filter(t -> t.size() * 4 >= (1 << 20)).count(), mapped, name);
        }
    }
}
