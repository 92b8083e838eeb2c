package dev.medsam.examples.programs;

import dev.medsam.core.Box;
import dev.medsam.core.EncodedImage;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.io.MedicalImages;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The image encoder is the expensive step (seconds for ViT-B on a CPU); prompts are cheap (milliseconds). Encode an
 * image once, then prompt it as often as you like: one box at a time, all boxes in one batched decoder pass, and
 * again later, when the session's embedding cache returns the same embedding without running the encoder.
 *
 * <pre>
 * java -cp "medsam-examples/target/medsam-examples-0.1.0-SNAPSHOT.jar:medsam-examples/target/lib/*" \
 *     dev.medsam.examples.programs.ReusePrompts CHECKPOINT IMAGE X0,Y0,X1,Y1 [X0,Y0,X1,Y1 ...]
 * </pre>
 */
public final class ReusePrompts {

    private ReusePrompts() {
    }

    /** Pixel counts of each box's mask, one at a time and batched, and whether the second encode was a cache hit. */
    record Outcome(List<Long> oneByOne, List<Long> batched, boolean cacheHit) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: ReusePrompts CHECKPOINT IMAGE X0,Y0,X1,Y1 [X0,Y0,X1,Y1 ...]");
            System.exit(2);
        }
        List<Box> boxes = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            boxes.add(Boxes.parse(args[i]));
        }
        MedicalImage image = MedicalImages.read(Path.of(args[1])).image();
        try (SegmentationSession session = SegmentationSession.builder(Path.of(args[0])).build()) {
            run(session, image, boxes);
        }
    }

    static Outcome run(SegmentationSession session, MedicalImage image, List<Box> boxes) {
        IntensityPreset preset = IntensityPreset.defaultFor(image);
        long t = System.nanoTime();
        EncodedImage encoded = session.encode(image, preset);           // runs the image encoder once
        System.out.printf(Locale.ROOT, "image encoder: %.0f ms%n", ms(t));

        List<Long> oneByOne = new ArrayList<>();
        for (Box box : boxes) {                                           // each prompt reuses the embedding
            t = System.nanoTime();
            Segmentation s = session.segment(encoded, List.of(Prompts.of(box)), false).get(0);
            oneByOne.add(s.binary().count());
            System.out.printf(Locale.ROOT, "box %s: %d pixels in %.0f ms%n", box, s.binary().count(), ms(t));
        }

        List<Prompts> objects = new ArrayList<>();
        for (Box box : boxes) {
            objects.add(Prompts.of(box));
        }
        t = System.nanoTime();
        List<Long> batched = new ArrayList<>();
        for (Segmentation s : session.segment(encoded, objects, false)) { // one decoder pass for all boxes
            batched.add(s.binary().count());
        }
        System.out.printf(Locale.ROOT, "%d boxes in one batch: %.0f ms%n", boxes.size(), ms(t));

        boolean cached = session.isCached(image, preset);
        t = System.nanoTime();
        session.encode(image, preset);                                    // same image again: from the cache
        System.out.printf(Locale.ROOT, "same image again: %.0f ms (%s)%n", ms(t),
                cached ? "embedding from the cache" : "encoded again: the cache is disabled or too small");
        return new Outcome(oneByOne, batched, cached);
    }

    private static double ms(long start) {
        return (System.nanoTime() - start) / 1e6;
    }
}
