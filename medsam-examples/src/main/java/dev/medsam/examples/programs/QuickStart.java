package dev.medsam.examples.programs;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.Prompts;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.MedicalImages;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The README's first Java example: one box on one CT slice, the mask written as NIfTI on the slice's grid. Uses only
 * the library (medsam-core, medsam-io, and medsam-tensorflow at run time).
 *
 * <pre>
 * java -cp "medsam-examples/target/medsam-examples-0.1.0-SNAPSHOT.jar:medsam-examples/target/lib/*" \
 *     dev.medsam.examples.programs.QuickStart IMAGE CHECKPOINT OUT.nii.gz
 * </pre>
 */
public final class QuickStart {

    private QuickStart() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: QuickStart IMAGE CHECKPOINT OUT.nii.gz   (the box is the bundled CT slice's liver)");
            System.exit(2);
        }
        segmentLiver(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
    }

    /** Segments the box 81,147,348,364 of {@code image}, writes the 0/1 mask to {@code out} and prints its pixel count. */
    static void segmentLiver(Path image, Path checkpoint, Path out) throws IOException {
        MedicalImage ct = MedicalImages.read(image).image();                  // DICOM, NIfTI, PNG, NPY, ...
        try (SegmentationSession session = SegmentationSession.builder(checkpoint).build()) {
            session.setImage(ct);                                              // CT: soft-tissue window by default
            BinaryMask liver = session.segment(Prompts.of(new Box(81, 147, 348, 364))).binary();
            MedicalImage mask = MedicalImage.builder(DataType.UINT8, ct.width(), ct.height())
                    .affine(ct.affine(CoordinateSystem.LPS))                   // the slice's position and spacing
                    .data(ByteBuffer.wrap(liver.toArray())).build();           // 0 background, 1 liver
            MedicalImages.write(mask, out);                                    // .nii.gz, .nii, .png or .npy
            System.out.println(liver.count() + " liver pixels written to " + out);
        }
    }
}
