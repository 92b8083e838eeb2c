package dev.medsam.examples.programs;

import dev.medsam.core.Box;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.examples.MaskImages;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.MedicalImages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * 2D box segmentation of one image file in any format medsam reads (PNG, JPEG, TIFF, DICOM, a 2D NIfTI or NPY):
 * the image's default intensity preset (8-bit as is, CT the soft-tissue window, anything else MedSAM's percentile
 * clipping), one box, and three files in the output folder: {@code mask.png} (0/255), {@code mask.nii.gz} (0/1 on
 * the image's grid) and {@code overlay.png}.
 *
 * <pre>
 * java -cp "medsam-examples/target/medsam-examples-0.1.0-SNAPSHOT.jar:medsam-examples/target/lib/*" \
 *     dev.medsam.examples.programs.SegmentImage CHECKPOINT IMAGE X0,Y0,X1,Y1 OUT_DIR
 * </pre>
 */
public final class SegmentImage {

    private SegmentImage() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: SegmentImage CHECKPOINT IMAGE X0,Y0,X1,Y1 OUT_DIR");
            System.exit(2);
        }
        Segmentation s = segment(Path.of(args[0]), Path.of(args[1]), Boxes.parse(args[2]), Path.of(args[3]));
        System.out.printf(Locale.ROOT, "%d object pixels, predicted IoU %.3f; wrote mask.png, mask.nii.gz and overlay.png "
                + "to %s%n", s.binary().count(), s.iou(), args[3]);
    }

    /** Segments {@code box} in {@code imageFile} and writes the three files to {@code outDir} (created if needed). */
    static Segmentation segment(Path checkpoint, Path imageFile, Box box, Path outDir) throws IOException {
        LoadedImage loaded = MedicalImages.read(imageFile);
        loaded.warnings().forEach(w -> System.err.println("warning: " + w));
        MedicalImage image = loaded.image();
        IntensityPreset preset = IntensityPreset.defaultFor(image);   // or IntensityPreset.ctWindow("lung"), ...
        System.out.println(imageFile.getFileName() + ": " + loaded.format() + ", " + image.width() + " x "
                + image.height() + ", preset " + preset.name());

        try (SegmentationSession session = SegmentationSession.builder(checkpoint).build()) {
            session.setImage(image, preset);
            Segmentation result = session.segment(Prompts.of(box));

            Files.createDirectories(outDir);
            // 0/255 in a PNG, 0/1 in NIfTI on the image's grid
            MedicalImages.write(result.binary(), image, outDir.resolve("mask.png"));
            MedicalImages.write(result.binary(), image, outDir.resolve("mask.nii.gz"));
            MedicalImage eightBit = preset.apply(image);               // what the network saw, before resizing
            MedicalImages.write(MaskImages.overlay(eightBit, result.binary(), box), outDir.resolve("overlay.png"));
            return result;
        }
    }
}
