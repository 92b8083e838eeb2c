package dev.medsam.examples.programs;

import dev.medsam.core.StageListener.Stage;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.examples.DemoData;
import dev.medsam.core.testing.SharedNetworks;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.image2d.Overlay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StageTimesTest {

    @TempDir
    Path dir;

    @Test
    void everyStageIsTimedOnceInOrderAndTheOverlayShowsTheBoxAndPoint() throws Exception {
        Path png = dir.resolve("overlay.png");
        Map<Stage, Duration> spent;
        try (AutoCloseable measured = SharedNetworks.encodeEveryInput()) { // compares the encoder's real time
            spent = StageTimes.run(DemoData.ctSlice(), DemoData.tinyCheckpoint(), png);
        }
        assertEquals(List.of(Stage.values()), List.copyOf(spent.keySet()));
        assertTrue(spent.values().stream().noneMatch(Duration::isNegative), spent.toString());
        assertTrue(spent.get(Stage.ENCODER).compareTo(spent.get(Stage.DECODER)) > 0,
                "the encoder is the expensive step: " + spent);

        MedicalImage overlay = MedicalImages.read(png).image();
        assertEquals(3, overlay.components());
        assertEquals(512, overlay.width());
        assertArrayEquals(rgb(Overlay.CYAN), pixel(overlay, 81, 300), "the box's left edge");
        assertArrayEquals(rgb(Overlay.POSITIVE_POINT), pixel(overlay, 200, 250), "the point");
    }

    private static int[] rgb(int c) {
        return new int[] {c >> 16 & 0xFF, c >> 8 & 0xFF, c & 0xFF};
    }

    private static int[] pixel(MedicalImage img, int x, int y) {
        long i = 3L * (y * (long) img.width() + x);
        return new int[] {(int) img.get(i), (int) img.get(i + 1), (int) img.get(i + 2)};
    }
}
