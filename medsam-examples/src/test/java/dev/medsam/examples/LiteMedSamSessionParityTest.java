package dev.medsam.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.Box;
import dev.medsam.core.EncodedImage;
import dev.medsam.core.MaskPrompt;
import dev.medsam.core.Point;
import dev.medsam.core.PointLabel;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.checkpoint.TinyVitArchitecture;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.core.volume.VolumePrompt;
import dev.medsam.core.volume.VolumeSegmentation;
import dev.medsam.core.volume.VolumeSegmenter;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.SpacingOrder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.medsam.examples.ParityFixtures.check;
import static dev.medsam.examples.ParityFixtures.checkMask;
import static dev.medsam.examples.ParityFixtures.part;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LiteMedSAM through the public API, as an application runs it: {@code SegmentationSession.builder(checkpoint)}
 * on the fixture's random-weight LiteMedSAM (the pipeline chosen from the checkpoint), images as medsam-io reads
 * them, boxes in original pixels; compared with the reference's outputs (litemedsam-parity/README.md) at its
 * tolerances: embeddings 5e-5, low-resolution logits 2e-4, IoU 1e-5, probabilities 5e-5, masks and 2D segs
 * equal except where the reference probability is within 1e-4 of 0.5, 3D segs within 0.1% of the voxels.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiteMedSamSessionParityTest {

    private static final String DIR = "fixtures/litemedsam-parity/";
    private static final int PLANE = 256 * 256;

    private SegmentationSession session;
    private JsonNode manifest;

    @BeforeAll
    void open() throws IOException {
        Path weights = Fixtures.require(DIR + "weights/lite_medsam_random.pth");
        session = SegmentationSession.builder(weights).backend("tensorflow").threads(2).build();
        manifest = new ObjectMapper().readTree(Fixtures.require(DIR + "manifest.json").toFile());
    }

    @AfterAll
    void close() {
        if (session != null) {
            session.close();
        }
    }

    private static NpyArray npy(String name) throws IOException {
        return Npy.read(Fixtures.require(DIR + name));
    }

    private List<Prompts> boxes(String c) {
        List<Prompts> out = new ArrayList<>();
        for (JsonNode b : manifest.get(c).get("boxes")) {
            out.add(Prompts.of(new Box(b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(),
                    b.get(3).asDouble())));
        }
        return out;
    }

    @Test
    void theCheckpointSelectsLiteMedSam() {
        assertSame(Pipeline.LITE_MEDSAM, session.pipeline());
        assertEquals(TinyVitArchitecture.LITE_MEDSAM, session.architecture());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ct_wide", "fundus_rgb"})
    void masksEqualTheReference(String c) throws IOException {
        MedicalImage image = MedicalImages.read(Fixtures.require(DIR + c + "/image_orig_u8.npy")).image();
        EncodedImage encoded = session.encode(image, IntensityPreset.asIs());
        check("lite " + c + "/embeddings", npy(c + "/embeddings.npy").toFloatArray(),
                encoded.embedding().tensor().toArray(), 5e-5);
        List<Prompts> objects = boxes(c);
        // one call, one decoder batch, as an application would; the reference runs the boxes one at a time
        List<Segmentation> results = session.segment(encoded, objects, false);
        float[] lowres = npy(c + "/lowres.npy").toFloatArray();
        float[] iou = npy(c + "/iou.npy").toFloatArray();
        float[] prob = npy(c + "/prob.npy").toFloatArray();
        NpyArray maskArray = npy(c + "/mask.npy");
        int h = maskArray.dim(1);
        int w = maskArray.dim(2);
        int pixels = w * h;
        byte[] mask = new byte[(int) maskArray.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = (byte) (maskArray.get(i) != 0 ? 1 : 0);
        }
        for (int b = 0; b < objects.size(); b++) {
            Segmentation r = results.get(b);
            check("lite " + c + "/lowres[" + b + "]", part(lowres, b * PLANE, PLANE), r.lowResLogits().toArray(), 2e-4);
            check("lite " + c + "/iou[" + b + "]", new float[] {iou[b]}, new float[] {r.iou()}, 1e-5);
            float[] refProb = part(prob, b * pixels, pixels);
            check("lite " + c + "/prob[" + b + "]", refProb, r.probability().toArray(), 5e-5);
            byte[] refMask = new byte[pixels];
            System.arraycopy(mask, b * pixels, refMask, 0, pixels);
            checkMask("lite " + c + "/mask[" + b + "]", refMask, r.binary().toArray(), refProb);
        }
        // MedSAM_infer_npz_2D: labels 1..N, later boxes over earlier ones
        NpyArray segs = Npz.read(Fixtures.require(DIR + c + "/segs/case_2d.npz"), "segs");
        int[] labels = new int[pixels];
        boolean[] nearHalf = new boolean[pixels];
        for (int b = 0; b < results.size(); b++) {
            byte[] m = results.get(b).binary().toArray();
            for (int i = 0; i < pixels; i++) {
                if (m[i] != 0) {
                    labels[i] = b + 1;
                }
                // excused: an object's reference probability sits on the threshold here
                nearHalf[i] |= Math.abs(prob[b * pixels + i] - 0.5f) < 1e-4;
            }
        }
        int excused = 0;
        for (int i = 0; i < pixels; i++) {
            if (labels[i] != (int) segs.get(i)) {
                assertTrue(nearHalf[i], c + " segs: pixel " + i + " is " + labels[i] + ", the reference "
                        + (int) segs.get(i));
                excused++;
            }
        }
        System.out.printf("parity %-48s %d differing pixels, all within 1e-4 of p = 0.5%n", "lite " + c + "/segs",
                excused);
    }

    @Test
    void volumeSegmentationEqualsTheReferenceSegs() throws IOException {
        MedSamNpz npz = MedSamNpz.read(Fixtures.require(DIR + "ct_3d/case_3d.npz"));
        MedicalImage volume = npz.image(SpacingOrder.ARRAY_ORDER);
        NpyArray boxes = npz.boxes().orElseThrow();
        List<VolumePrompt> prompts = new ArrayList<>();
        for (int i = 0; i < boxes.dim(0); i++) {
            double[] row = new double[6];
            for (int j = 0; j < 6; j++) {
                row[j] = boxes.get(i, j);
            }
            prompts.add(VolumePrompt.ofBox3d(row));
        }
        VolumeSegmentation result = VolumeSegmenter.of(session).segment(volume, prompts,
                PropagationOptions.builder().preset(IntensityPreset.asIs()).build());
        NpyArray segs = Npz.read(Fixtures.require(DIR + "ct_3d/segs/case_3d.npz"), "segs");
        MedicalImage labels = result.labels();
        // the label volume is (x, y, z) on the source grid; segs is (z, y, x) in C order: the same flat order
        assertEquals(segs.size(), labels.voxelCount());
        long differ = 0;
        for (long i = 0; i < segs.size(); i++) {
            if ((long) labels.get(i) != (long) segs.get(i)) {
                differ++;
            }
        }
        System.out.printf("parity %-48s %d of %d voxels differ%n", "lite ct_3d/segs", differ, segs.size());
        assertTrue(differ <= segs.size() / 1000, differ + " voxels differ from the reference's segs");
    }

    @Test
    void pointsMaskPromptsAndMultimaskRunThroughTheSameDecoder() throws IOException {
        MedicalImage image = MedicalImages.read(Fixtures.require(DIR + "fundus_rgb/image_orig_u8.npy")).image();
        EncodedImage encoded = session.encode(image, IntensityPreset.asIs());
        Prompts first = Prompts.of(new Box(150, 40, 560, 430), new Point(350, 240, PointLabel.POSITIVE),
                new Point(200, 100, PointLabel.NEGATIVE));
        Segmentation multi = session.segment(encoded, List.of(first), true).get(0);
        assertEquals(3, multi.candidates().size());
        assertEquals(701, multi.binary().width());
        assertEquals(467, multi.binary().height());
        // refine with the best candidate's logits as a mask prompt, as SAM's interactive loop does
        Prompts refine = Prompts.of(new Point(350, 240, PointLabel.POSITIVE), new MaskPrompt(multi.lowResLogits()));
        Segmentation refined = session.segment(encoded, List.of(refine), false).get(0);
        assertEquals(1, refined.candidates().size());
        // points alone
        Segmentation points = session.segment(encoded, List.of(Prompts.of(new Point(350, 240, PointLabel.POSITIVE))),
                true).get(0);
        assertEquals(3, points.candidates().size());
        // the frame route gives what the pixel route gives for the same box in the 256 frame
        ModelPrompt inFrame = ModelPrompt.builder().box(new float[] {54, 14, 204, 157}).build();
        Segmentation viaFrame = session.segmentInModelFrame(encoded, List.of(inFrame), false).get(0);
        Segmentation viaPixels = session.segment(encoded, List.of(Prompts.of(new Box(150, 40, 560, 430))), false).get(0);
        assertArrayEquals(viaPixels.lowResLogits().toArray(), viaFrame.lowResLogits().toArray());
        assertEquals(viaPixels.binary(), viaFrame.binary());
    }

    @Test
    void aViTPipelineOnLiteMedSamIsRefusedBeforeLoading() {
        Path weights = Fixtures.require(DIR + "weights/lite_medsam_random.pth");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SegmentationSession.builder(weights).pipeline(Pipeline.MEDSAM).build());
        assertTrue(e.getMessage().contains("lite_medsam_random.pth") && e.getMessage().contains("LITE_MEDSAM"),
                e.getMessage());
    }
}
