package dev.medsam.examples.programs;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.examples.DemoData;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuickStartTest {

    @TempDir
    Path dir;

    @Test
    void writesTheMaskItCountsOnTheSlicesGrid() throws IOException {
        Path out = dir.resolve("liver.nii.gz");
        long count = QuickStart.segmentLiver(DemoData.ctSlice(), DemoData.tinyCheckpoint(), out);
        MedicalImage ct = MedicalImages.read(DemoData.ctSlice()).image();
        MedicalImage mask = MedicalImages.read(out).image();
        assertEquals(512L * 512, mask.voxelCount());
        assertTrue(mask.affine(CoordinateSystem.LPS).approximatelyEquals(ct.affine(CoordinateSystem.LPS), 1e-4));
        long ones = 0;
        for (long i = 0; i < mask.voxelCount(); i++) {
            double v = mask.get(i);
            assertTrue(v == 0 || v == 1, "value " + v);
            ones += (long) v;
        }
        assertEquals(count, ones);
        assertTrue(count > 0, "the tiny model marks some pixels in this box");
    }
}
