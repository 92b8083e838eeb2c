package dev.medsam.examples.programs;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.examples.DemoData;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuickStartTest {

    @TempDir
    Path dir;

    @Test
    void writesTheMaskItCountsOnTheSlicesGrid() throws IOException {
        Path out = dir.resolve("liver.nii.gz");
        PrintStream old = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            QuickStart.segmentLiver(DemoData.ctSlice(), DemoData.tinyCheckpoint(), out);
        } finally {
            System.setOut(old);
        }
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
        assertTrue(ones > 0, "the tiny model marks some pixels in this box");
        assertEquals(ones + " liver pixels written to " + out, printed.toString(StandardCharsets.UTF_8).strip());
    }
}
