package dev.medsam.examples.programs;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.EncodedImage;
import dev.medsam.core.Prompts;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.examples.DemoData;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchSegmentTest {

    @TempDir
    Path dir;

    @Test
    void twoWorkersShareOneModelAndGiveWhatOneImageAtATimeGives() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        MedicalImage ct = MedicalImages.read(DemoData.ctSlice()).image();
        MedicalImage windowed = IntensityPreset.ctWindow("soft-tissue").apply(ct);
        MedicalImage flipped = flip(windowed);
        Files.copy(DemoData.ctSlice(), in.resolve("ct.dcm"));
        MedicalImages.write(windowed, in.resolve("windowed.png"));
        MedicalImages.write(flipped, in.resolve("flipped.png"));
        Files.writeString(in.resolve("broken.dcm"), "not an image");
        Path csv = Files.writeString(in.resolve("boxes.csv"), String.join("\n",
                "file,x0,y0,x1,y1",
                "# the liver, and its mirror image",
                "ct.dcm,81,147,348,364",
                "windowed.png,81,147,348,364",
                "flipped.png,163,147,430,364",
                "broken.dcm,1,1,10,10",
                ""));
        Path out = dir.resolve("out");
        List<BatchSegment.Result> results = BatchSegment.run(DemoData.tinyCheckpoint(), csv, out, 2);

        assertEquals(4, results.size());
        assertEquals(List.of(true, true, true, false), results.stream().map(BatchSegment.Result::ok).toList());
        assertTrue(results.get(3).error().contains("broken.dcm"), results.get(3).error());
        assertFalse(Files.exists(out.resolve("broken_mask.png")));

        // one image at a time, with the batch's thread setting, on one session
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        try (SegmentationSession session = SegmentationSession.builder(DemoData.tinyCheckpoint()).threads(threads).build()) {
            BinaryMask liver = segment(session, ct, DemoData.LIVER_BOX);
            // mirrored columns: x -> 511 - x, so 81..348 becomes 163..430
            BinaryMask mirrored = segment(session, flipped, new Box(163, 147, 430, 364));
            assertEquals(liver, mask(out.resolve("ct_mask.png")));
            assertEquals(liver, mask(out.resolve("windowed_mask.png")));
            assertEquals(mirrored, mask(out.resolve("flipped_mask.png")));
            assertEquals(liver.count(), results.get(0).pixels());
        }
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        assertEquals("file,pixels,iou,millis,error", lines.get(0));
        assertEquals(5, lines.size());
        assertTrue(lines.get(1).startsWith("ct.dcm," + results.get(0).pixels() + ","), lines.get(1));
        assertTrue(lines.get(4).startsWith("broken.dcm,0,,"), lines.get(4));
    }

    @Test
    void csvMistakesNameTheLine() throws IOException {
        Path csv = Files.writeString(dir.resolve("b.csv"), "a.png,1,2,3,4\nsub/a.png,1,2,3,4\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchSegment.readJobs(csv));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("a_mask.png"), e.getMessage());
        Files.writeString(csv, "a.png 1 2 3 4\n");
        e = assertThrows(IllegalArgumentException.class, () -> BatchSegment.readJobs(csv));
        assertTrue(e.getMessage().contains("line 1: expected file,x0,y0,x1,y1"), e.getMessage());
        Files.writeString(csv, "a.png,1,2,3\n");
        e = assertThrows(IllegalArgumentException.class, () -> BatchSegment.readJobs(csv));
        assertTrue(e.getMessage().contains("line 1: box '1,2,3'"), e.getMessage());
        Files.writeString(csv, "# nothing\n");
        assertThrows(IllegalArgumentException.class, () -> BatchSegment.readJobs(csv));
        assertEquals("ct", BatchSegment.stem("ct.nii.gz"));
        assertEquals("scan", BatchSegment.stem("scan"));
    }

    private static BinaryMask segment(SegmentationSession session, MedicalImage image, Box box) {
        EncodedImage encoded = session.encode(image);
        return session.segment(encoded, List.of(Prompts.of(box)), false).get(0).binary();
    }

    private static BinaryMask mask(Path png) throws IOException {
        MedicalImage m = MedicalImages.read(png).image();
        byte[] bits = new byte[(int) m.voxelCount()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) (m.get(i) != 0 ? 1 : 0);
        }
        return BinaryMask.of(m.width(), m.height(), bits);
    }

    private static MedicalImage flip(MedicalImage grey) {
        int w = grey.width();
        int h = grey.height();
        ByteBuffer src = grey.data();
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = src.get(y * w + (w - 1 - x));
            }
        }
        return MedicalImage.builder(DataType.UINT8, w, h).data(ByteBuffer.wrap(out)).build();
    }
}
