package example;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.Prompts;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.MedicalImages;

import java.nio.file.Path;

/** Segments one box on one image with one checkpoint and prints the mask's pixel count. */
public final class Consume {
    public static void main(String[] args) throws Exception {
        MedicalImage image = MedicalImages.read(Path.of(args[0])).image();
        try (SegmentationSession session = SegmentationSession.builder(Path.of(args[1])).build()) {
            session.setImage(image);
            BinaryMask mask = session.segment(Prompts.of(new Box(81, 147, 348, 364))).binary();
            System.out.println("consumer mask pixels: " + mask.count());
        }
    }
}
