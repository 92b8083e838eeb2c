package dev.medsam.examples.programs;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.core.volume.VolumePrompt;
import dev.medsam.core.volume.VolumeSegmenter;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.SpacingOrder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One case of the CVPR 2024 "MedSAM on Laptop" challenge with LiteMedSAM, as the challenge's
 * {@code CVPR24_LiteMedSAM_infer.py} runs it: a 2D case (imgs (H, W, 3), boxes (N, 4)) box by box, a 3D case
 * (imgs (D, H, W), boxes (N, 6)) by propagation from each box's middle slice; labels 1..N, later boxes over earlier
 * ones, written as {@code segs}. The session reads the TinyViT model from the checkpoint and uses LiteMedSAM's
 * pipeline and 3D protocol by itself.
 *
 * <pre>
 * java -cp "medsam-examples/target/medsam-examples-0.1.0-SNAPSHOT.jar:medsam-examples/target/lib/*" \
 *     dev.medsam.examples.programs.LiteMedSamCase lite_medsam.pth CASE.npz OUT.npz
 * </pre>
 */
public final class LiteMedSamCase {

    private LiteMedSamCase() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: LiteMedSamCase CHECKPOINT CASE.npz OUT.npz");
            System.exit(2);
        }
        MedicalImage segs = segment(Path.of(args[0]), Path.of(args[1]));
        MedSamNpz.writeSegs(Path.of(args[2]), segs);
        System.out.println("wrote " + args[2]);
    }

    /** The case's label map: (W, H) for a 2D case, (W, H, D) for a 3D one, on the image's grid. */
    static MedicalImage segment(Path checkpoint, Path caseFile) throws IOException {
        MedSamNpz npz = MedSamNpz.read(caseFile);
        MedicalImage image = npz.image(SpacingOrder.ARRAY_ORDER);             // 8-bit, as the challenge stores it
        NpyArray boxes = npz.boxes().orElseThrow(() -> new IOException(caseFile + " has no 'boxes' array"));
        try (SegmentationSession session = SegmentationSession.builder(checkpoint).build()) {  // lite_medsam.pth
            // session.pipeline() is LITE_MEDSAM: 256x256 encoder input, about a tenth of ViT-B's work per image
            if (npz.isVolume()) {
                List<VolumePrompt> objects = new ArrayList<>();
                for (int i = 0; i < boxes.dim(0); i++) {                       // x0, y0, z0, x1, y1, z1
                    objects.add(VolumePrompt.ofBox3d(row(boxes, i, 6)));
                }
                return VolumeSegmenter.of(session).segment(image, objects,   // the challenge's 3D protocol
                        PropagationOptions.builder().preset(IntensityPreset.asIs()).build()).labels();
            }
            session.setImage(image, IntensityPreset.asIs());
            List<Prompts> objects = new ArrayList<>();
            for (int i = 0; i < boxes.dim(0); i++) {                           // x0, y0, x1, y1
                double[] b = row(boxes, i, 4);
                objects.add(Prompts.of(new Box(b[0], b[1], b[2], b[3])));
            }
            List<BinaryMask> masks = new ArrayList<>();
            for (Segmentation s : session.segment(objects)) {
                masks.add(s.binary());
            }
            return MedicalImages.labelMap(masks, image);                       // later boxes over earlier ones
        }
    }

    private static double[] row(NpyArray boxes, int i, int columns) throws IOException {
        if (boxes.rank() != 2 || boxes.dim(1) != columns) {
            throw new IOException("boxes must have shape (N, " + columns + "), got " + Arrays.toString(
                    boxes.shape()));
        }
        double[] r = new double[columns];
        for (int j = 0; j < columns; j++) {
            r[j] = boxes.get(i, j);
        }
        return r;
    }
}
