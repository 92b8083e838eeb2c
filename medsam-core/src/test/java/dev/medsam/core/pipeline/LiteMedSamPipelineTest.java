package dev.medsam.core.pipeline;

import dev.medsam.core.Box;
import dev.medsam.core.MaskLogits;
import dev.medsam.core.Point;
import dev.medsam.core.PointLabel;
import dev.medsam.core.Prompts;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.checkpoint.TinyVitArchitecture;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.internal.ModelFrame;
import dev.medsam.core.internal.OriginalSizeMasks;
import dev.medsam.core.internal.PreparedImage;
import dev.medsam.core.pipeline.internal.LiteMedSamPreprocess;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.testing.FakeSamModel;
import dev.medsam.core.testing.FixtureArray;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.testing.Tolerance;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Pipeline#LITE_MEDSAM} through the session's frame and preparation, against the LiteMedSAM fixtures. */
class LiteMedSamPipelineTest {

    private static final String DIR = "fixtures/litemedsam-parity/";

    @Test
    void pipelineFollowsTheArchitecture() {
        assertSame(Pipeline.LITE_MEDSAM, Pipeline.defaultFor(TinyVitArchitecture.LITE_MEDSAM));
        assertSame(Pipeline.MEDSAM, Pipeline.defaultFor(SamArchitecture.VIT_B));
        assertEquals(256, Pipeline.LITE_MEDSAM.inputSize());
        assertEquals(1024, Pipeline.SAM.inputSize());
        assertTrue(Pipeline.LITE_MEDSAM.fits(TinyVitArchitecture.LITE_MEDSAM));
        assertTrue(!Pipeline.LITE_MEDSAM.fits(SamArchitecture.VIT_B) && !Pipeline.MEDSAM.fits(TinyVitArchitecture.LITE_MEDSAM));
    }

    @Test
    void aSessionPicksTheModelsPipelineAndRefusesAMismatch() {
        try (FakeSamModel lite = new FakeSamModel(0, TinyVitArchitecture.LITE_MEDSAM);
             SegmentationSession session = SegmentationSession.of(lite)) {
            assertSame(Pipeline.LITE_MEDSAM, session.pipeline());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SegmentationSession.of(lite, Pipeline.MEDSAM, 2));
            assertTrue(e.getMessage().contains("LITE_MEDSAM") && e.getMessage().contains("litemedsam"), e.getMessage());
        }
        try (FakeSamModel vit = new FakeSamModel()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SegmentationSession.of(vit, Pipeline.LITE_MEDSAM, 2));
            assertTrue(e.getMessage().contains("256x256") && e.getMessage().contains("vit_b"), e.getMessage());
            try (SegmentationSession session = SegmentationSession.of(vit)) {
                assertSame(Pipeline.MEDSAM, session.pipeline());
            }
        }
    }

    @Test
    void preparedImagesEqualTheReferenceInputForGreyAndRgb() {
        for (String c : new String[] {"ct_wide", "fundus_rgb"}) {
            FixtureArray orig = FixtureArray.read(Fixtures.require(DIR + c + "/image_orig_u8.npy"));
            int h = orig.shape()[0];
            int w = orig.shape()[1];
            float[] want = FixtureArray.read(Fixtures.require(DIR + c + "/input.npy")).floats();
            PreparedImage rgb = PreparedImage.of(Pipeline.LITE_MEDSAM, PipelineTest.uint8(orig.bytes(), 3, w, h));
            assertArrayEquals(want, rgb.tensor().tensor().toArray(), c);
            assertEquals(256, rgb.tensor().size());
            assertEquals(ModelFrame.of(Pipeline.LITE_MEDSAM, w, h), rgb.frame());
        }
        // ct_wide is grey repeated to RGB: the grey image gives the same input
        FixtureArray orig = FixtureArray.read(Fixtures.require(DIR + "ct_wide/image_orig_u8.npy"));
        byte[] rgb = orig.bytes();
        byte[] grey = new byte[rgb.length / 3];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = rgb[3 * i];
        }
        float[] want = FixtureArray.read(Fixtures.require(DIR + "ct_wide/input.npy")).floats();
        assertArrayEquals(want, PreparedImage.of(Pipeline.LITE_MEDSAM, PipelineTest.uint8(grey, 1, 512, 320))
                .tensor().tensor().toArray());
    }

    @Test
    void boxesMapAsTheReferenceDoes() {
        // manifest: ct_wide 512x320 and fundus 701x467 boxes and their boxes_256
        assertFrameBox(512, 320, new Box(80, 60, 350, 270), 40, 30, 175, 135);
        assertFrameBox(512, 320, new Box(300, 100, 460, 230), 150, 50, 230, 115);
        assertFrameBox(701, 467, new Box(150, 40, 560, 430), 54, 14, 204, 157);
        assertFrameBox(701, 467, new Box(330, 200, 400, 260), 120, 73, 146, 94);
        ModelFrame frame = ModelFrame.of(Pipeline.LITE_MEDSAM, 701, 467);
        assertEquals(256, frame.resizedWidth());
        assertEquals(171, frame.resizedHeight());
        assertEquals(256, frame.size());
    }

    /**
     * CVPR24_LiteMedSAM_infer.py does not clip boxes (its boxes come from ground truth, inside the image); we clip
     * a box reaching outside the image to it first, and only then apply the reference's int(v * 256 / max(H, W)).
     * So the network sees the box of the image part the user framed, never coordinates beyond the image (in the
     * zero padding, or negative) that SAM's prompt encoder never met in training; a box inside the image maps
     * exactly as the reference maps it (boxesMapAsTheReferenceDoes).
     */
    @Test
    void boxesReachingOutsideAreClippedToTheImageBeforeTheReferenceMapping() {
        // 512x320: the reference would feed int(-40 / 2), int(-20 / 2), int(600 / 2), int(330 / 2) = -20, -10, 300, 165
        assertFrameBox(512, 320, new Box(-40, -20, 600, 330), 0, 0, 256, 160);
        assertFrameBox(512, 320, new Box(100, -7, 530, 200), 50, 0, 256, 100);
        // wholly outside: refused, naming the box and the image size
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFrame.of(Pipeline.LITE_MEDSAM, 512, 320).toModel(Prompts.of(new Box(520, 10, 600, 50))));
        assertTrue(e.getMessage().contains("512x320"), e.getMessage());
    }

    /** segmentInModelFrame with a collapsed frame box: the error names the object (from 1) and the box. */
    @Test
    void aCollapsedFrameBoxIsRefusedNamingTheObjectAndBox() {
        try (FakeSamModel lite = new FakeSamModel(0, TinyVitArchitecture.LITE_MEDSAM);
             SegmentationSession session = SegmentationSession.of(lite)) {
            var image = session.encode(PipelineTest.uint8(new byte[64 * 32], 1, 64, 32));
            ModelPrompt good = ModelPrompt.builder().box(new float[] {10, 10, 50, 40}).build();
            ModelPrompt collapsed = ModelPrompt.builder().box(new float[] {30, 12, 30, 40}).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> session.segmentInModelFrame(image, java.util.List.of(good, collapsed), false));
            assertTrue(e.getMessage().startsWith("object 2: ") && e.getMessage().contains("[30.0, 12.0, 30.0, 40.0]"),
                    e.getMessage());
        }
    }

    private static void assertFrameBox(int w, int h, Box box, float... expected) {
        ModelPrompt p = ModelFrame.of(Pipeline.LITE_MEDSAM, w, h).toModel(Prompts.of(box));
        assertArrayEquals(expected, p.box().orElseThrow(), box.toString());
    }

    @Property
    void boxCornersAreTheReferencesTruncationAndPointsScaleAndReturn(
            @ForAll @IntRange(min = 1, max = 3000) int w, @ForAll @IntRange(min = 1, max = 3000) int h,
            @ForAll @IntRange(min = 0, max = 2999) int x0, @ForAll @IntRange(min = 0, max = 2999) int y0) {
        if (Math.min(w, h) * 512L < Math.max(w, h)) {
            return; // too thin: refused, see thinImagesAreRefused
        }
        int ax = x0 % w;
        int ay = y0 % h;
        Box box = new Box(ax, ay, w, h);
        ModelFrame frame = ModelFrame.of(Pipeline.LITE_MEDSAM, w, h);
        float[] want = LiteMedSamPreprocess.box256(new double[] {ax, ay, w, h}, h, w);
        // through the prompt path, which passes a box that truncation collapsed on as the reference does
        assertArrayEquals(want, frame.toModel(Prompts.of(box)).box().orElseThrow());
        Point p = new Point(ax + 0.25, ay + 0.75, PointLabel.POSITIVE);
        Point back = frame.toOriginal(frame.toModel(p));
        assertEquals(p.x(), back.x(), 1e-3 * Math.max(w, h) / 256);
        assertEquals(p.y(), back.y(), 1e-3 * Math.max(w, h) / 256);
    }

    @Test
    void thinImagesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFrame.of(Pipeline.LITE_MEDSAM, 1000, 1));
        assertTrue(e.getMessage().contains("1000x1"), e.getMessage());
    }

    @Test
    void postprocessingEqualsTheReferenceProbabilitiesAndMasks() {
        for (String c : new String[] {"ct_wide", "fundus_rgb"}) {
            FixtureArray lowres = FixtureArray.read(Fixtures.require(DIR + c + "/lowres.npy"));
            FixtureArray prob = FixtureArray.read(Fixtures.require(DIR + c + "/prob.npy"));
            FixtureArray mask = FixtureArray.read(Fixtures.require(DIR + c + "/mask.npy"));
            int h = prob.shape()[1];
            int w = prob.shape()[2];
            ModelFrame frame = ModelFrame.of(Pipeline.LITE_MEDSAM, w, h);
            float[] logits = lowres.floats();
            float[] probs = prob.floats();
            byte[] masks = mask.bytes();
            int plane = w * h;
            for (int b = 0; b < lowres.shape()[0]; b++) {
                float[] one = new float[256 * 256];
                System.arraycopy(logits, b * one.length, one, 0, one.length);
                OriginalSizeMasks m = frame.postprocess(MaskLogits.of(256, 256, one));
                float[] wantProb = new float[plane];
                System.arraycopy(probs, b * plane, wantProb, 0, plane);
                Tolerance.assertClose(c + " prob " + b, wantProb, m.probability().toArray(), 5e-5);
                // toArray() copies the whole mask: once per mask, not once per pixel (that took 20 s)
                byte[] binary = m.binary().toArray();
                for (int i = 0; i < plane; i++) {
                    boolean want = masks[b * plane + i] != 0;
                    if (Math.abs(wantProb[i] - 0.5f) > 1e-4) {
                        assertEquals(want, binary[i] != 0, c + " mask " + b + " pixel " + i);
                    }
                }
            }
        }
    }
}
