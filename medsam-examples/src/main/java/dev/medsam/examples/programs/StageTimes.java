package dev.medsam.examples.programs;

import dev.medsam.core.Box;
import dev.medsam.core.Point;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.StageListener;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.image2d.Overlay;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Where the time goes: a {@link StageListener} on the session adds up each stage (checkpoint, backend, network,
 * preset, preprocessing, encoder, decoder, postprocessing) of one box and one point on a CT slice, and
 * {@link Overlay} draws the mask with its box and point into a {@link BufferedImage}.
 *
 * <pre>
 * java -cp "medsam-examples/target/medsam-examples-0.1.0-SNAPSHOT.jar:medsam-examples/target/lib/*" \
 *     dev.medsam.examples.programs.StageTimes IMAGE CHECKPOINT OVERLAY.png
 * </pre>
 */
public final class StageTimes {

    private StageTimes() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: StageTimes IMAGE CHECKPOINT OVERLAY.png   (the box is the bundled CT slice's liver)");
            System.exit(2);
        }
        Map<StageListener.Stage, Duration> spent = run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        spent.forEach((stage, took) -> System.out.printf(Locale.ROOT, "%-12s %8.1f ms%n", stage, took.toNanos() / 1e6));
    }

    /** Segments the liver box with a point inside it, writes the overlay and returns the time per stage, in order. */
    static Map<StageListener.Stage, Duration> run(Path image, Path checkpoint, Path overlayPng) throws IOException {
        MedicalImage ct = MedicalImages.read(image).image();
        Box box = new Box(81, 147, 348, 364);
        Point inside = Point.positive(200, 250);
        Map<StageListener.Stage, Duration> spent = new ConcurrentSkipListMap<>();   // ordered by stage
        try (SegmentationSession session = SegmentationSession.builder(checkpoint)
                .stageListener((stage, took) -> spent.merge(stage, took, Duration::plus))   // called on this thread
                .build()) {
            IntensityPreset window = IntensityPreset.ctWindow("soft-tissue");
            session.setImage(ct, window);
            Segmentation liver = session.segment(Prompts.of(box, inside));
            BufferedImage picture = Overlay.builder(window.apply(ct))                   // the slice as the model saw it
                    .mask(liver.binary()).box(box).point(inside)
                    .toBufferedImage();
            AtomicFiles.write(overlayPng, out -> {                                    // whole file or none
                if (!ImageIO.write(picture, "png", out)) {
                    throw new IOException("no PNG writer for " + overlayPng);
                }
            });
        }
        return spent;
    }
}
