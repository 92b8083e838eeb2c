package dev.medsam.core.volume;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The propagation rules, checked with a deterministic slice segmenter ({@link TruthSegmenter}). */
class VolumeSegmenterTest {

    private static final PropagationOptions MARGIN_2 = PropagationOptions.builder().margin(2).build();

    /** An object that moves one pixel right per slice: x 8+z .. 18+z, y 10..20, on slices 1..10. */
    private static Volumes movingObject() {
        Volumes v = new Volumes(40, 32, 12);
        for (int z = 1; z <= 10; z++) {
            v.box(8 + z, 10, z, 18 + z, 20, z, 200);
        }
        return v;
    }

    private static List<BoxSource> sources(ObjectPropagation o) {
        return o.steps().stream().map(SliceStep::source).toList();
    }

    private static List<Integer> slices(ObjectPropagation o) {
        return o.steps().stream().map(SliceStep::slice).toList();
    }

    @Test
    void startsAtTheMiddleSliceGoesUpThenDownAndFollowsTheMask() {
        TruthSegmenter fake = new TruthSegmenter();
        VolumeSegmentation r = VolumeSegmenter.of(fake).segment(movingObject().image(),
                List.of(VolumePrompt.ofBox3d(7, 9, 2, 20, 22, 8)), MARGIN_2);
        // int((8 - 2) / 2 + 2) = 5; then 6, 7, 8; then 4, 3, 2: the whole range, both ends included
        assertEquals(List.of(5, 6, 7, 8, 4, 3, 2), fake.order());
        ObjectPropagation o = r.objects().get(0);
        assertEquals(List.of(5, 6, 7, 8, 4, 3, 2), slices(o));
        assertEquals(BoxSource.KEY_BOX, o.steps().get(0).source());
        assertEquals(new Box(7, 9, 20, 22), o.steps().get(0).box());
        // slice 5: object x 13..23 cut by the box to 13..20, y 10..20 -> next box grown by 2 px
        assertEquals(new Box(11, 8, 22, 22), o.step(6).orElseThrow().box());
        // slice 6: object x 14..24 inside 11..22 -> 14..22
        assertEquals(new Box(12, 8, 24, 22), o.step(7).orElseThrow().box());
        // downwards starts again from slice 5's mask (x 13..20), not from the last upward slice
        assertEquals(new Box(11, 8, 22, 22), o.step(4).orElseThrow().box());
        assertEquals(List.of(BoxSource.KEY_BOX, BoxSource.PREVIOUS_MASK, BoxSource.PREVIOUS_MASK,
                BoxSource.PREVIOUS_MASK, BoxSource.PREVIOUS_MASK, BoxSource.PREVIOUS_MASK, BoxSource.PREVIOUS_MASK),
                sources(o));
        // the masks follow the object: slice 7's mask x 15..24 gives slice 8 the box 13..26, which holds the whole
        // object (16..26); on slice 5 the given box cut the object at x 20
        MedicalImage labels = r.labels();
        assertEquals(1, Volumes.label(labels, 26, 15, 8));
        assertEquals(1, Volumes.label(labels, 20, 15, 5));
        assertEquals(0, Volumes.label(labels, 21, 15, 5));
        assertEquals(0, Volumes.label(labels, 15, 15, 9)); // beyond the range
        assertEquals(0, Volumes.label(labels, 15, 15, 1));
        assertEquals(7, r.sliceVisits());
    }

    @Test
    void theDefaultMarginIsThreePixelsPer256OfTheLongestSide() {
        assertEquals(6.0, PropagationOptions.defaults().marginPixels(512, 512));
        assertEquals(3.0 * 320 / 256, PropagationOptions.defaults().marginPixels(200, 320));
        TruthSegmenter fake = new TruthSegmenter();
        // 40x32 slices: 3 * 40 / 256 = 0.46875 px
        ObjectPropagation o = VolumeSegmenter.of(fake).segment(movingObject().image(),
                List.of(VolumePrompt.ofBox3d(7, 9, 4, 20, 22, 6))).objects().get(0);
        double m = 3 * 40 / 256.0;
        assertEquals(new Box(13 - m, 10 - m, 20 + m, 20 + m), o.step(6).orElseThrow().box());
    }

    @Test
    void anEmptyMaskFallsBackToTheGivenBox() {
        Volumes v = movingObject();
        v.box(0, 0, 7, 39, 31, 7, 0); // the object vanishes on slice 7
        TruthSegmenter fake = new TruthSegmenter();
        ObjectPropagation o = VolumeSegmenter.of(fake).segment(v.image(),
                List.of(VolumePrompt.ofBox3d(7, 9, 2, 26, 22, 9)), MARGIN_2).objects().get(0);
        assertEquals(List.of(5, 6, 7, 8, 9, 4, 3, 2), slices(o));
        assertEquals(0, o.step(7).orElseThrow().pixels());
        assertEquals(BoxSource.PREVIOUS_MASK, o.step(7).orElseThrow().source());
        assertEquals(BoxSource.FALLBACK, o.step(8).orElseThrow().source());
        assertEquals(new Box(7, 9, 26, 22), o.step(8).orElseThrow().box());
        assertTrue(o.step(8).orElseThrow().pixels() > 0);
        assertEquals(BoxSource.PREVIOUS_MASK, o.step(9).orElseThrow().source());
    }

    @Test
    void keyBoxesStartAtTheLargestAndFallBackToTheNearestKeySlice() {
        Volumes v = new Volumes(40, 32, 12);
        v.box(10, 10, 2, 20, 20, 10, 90);
        v.box(0, 0, 6, 39, 31, 6, 0); // gap on slice 6
        Box small = new Box(9, 9, 15, 15);
        Box large = new Box(8, 8, 22, 22);
        VolumePrompt prompt = VolumePrompt.ofKeyBoxes(Map.of(3, small, 9, large));
        assertEquals(9, prompt.startSlice());
        assertEquals(3, prompt.firstSlice());
        assertEquals(9, prompt.lastSlice());
        TruthSegmenter fake = new TruthSegmenter();
        ObjectPropagation o = VolumeSegmenter.of(fake).segment(v.image(), List.of(prompt), MARGIN_2).objects().get(0);
        assertEquals(List.of(9, 8, 7, 6, 5, 4, 3), slices(o));
        assertEquals(List.of(BoxSource.KEY_BOX, BoxSource.PREVIOUS_MASK, BoxSource.PREVIOUS_MASK,
                BoxSource.PREVIOUS_MASK, BoxSource.FALLBACK, BoxSource.PREVIOUS_MASK, BoxSource.KEY_BOX), sources(o));
        // slice 5 is 2 from key slice 3 and 4 from key slice 9: the small box
        assertEquals(small, o.step(5).orElseThrow().box());
        // a key slice always uses its own box, even when a mask precedes it
        assertEquals(small, o.step(3).orElseThrow().box());
    }

    @Test
    void nearestKeyBoxPrefersTheLowerSliceOnTies() {
        Box a = new Box(1, 1, 5, 5);
        Box b = new Box(2, 2, 9, 9);
        VolumePrompt p = VolumePrompt.ofKeyBoxes(Map.of(3, a, 7, b), 0, 12);
        assertEquals(a, p.nearestKeyBox(5));
        assertEquals(b, p.nearestKeyBox(6));
        assertEquals(a, p.nearestKeyBox(0));
        assertEquals(b, p.nearestKeyBox(12));
        assertEquals(b, p.nearestKeyBox(7));
        assertEquals(7, p.startSlice());
        // equal areas: the lowest key slice starts
        assertEquals(2, VolumePrompt.ofKeyBoxes(Map.of(2, a, 8, new Box(11, 11, 15, 15))).startSlice());
    }

    @Test
    void box3dMiddleSliceMatchesTheReferenceFormula() {
        for (int z0 = 0; z0 < 6; z0++) {
            for (int z1 = z0; z1 < 12; z1++) {
                VolumePrompt p = VolumePrompt.ofBox3d(1, 2, z0, 3, 4, z1);
                assertEquals((int) ((z1 - z0) / 2.0 + z0), p.startSlice(), z0 + ".." + z1);
                assertEquals(p, VolumePrompt.ofBox3d(new double[] {1, 2, z0, 3, 4, z1}));
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VolumePrompt.ofBox3d(new double[] {1, 2, 2.5, 3, 4, 6}));
        assertTrue(e.getMessage().contains("z0") && e.getMessage().contains("2.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VolumePrompt.ofBox3d(1, 2, 5, 3, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> VolumePrompt.ofBox3d(3, 2, 0, 3, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> VolumePrompt.ofBox3d(new double[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> VolumePrompt.ofKeyBoxes(Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> VolumePrompt.ofKeyBoxes(Map.of(4, new Box(1, 1, 2, 2)), 5, 9));
    }

    /** Object 1 at x 4..20, object 2 at x 14..30 (overlapping at 14..20), both y 8..20. */
    private static Volumes twoObjects() {
        Volumes v = new Volumes(40, 32, 14);
        v.box(4, 8, 0, 30, 20, 13, 150);
        return v;
    }

    @Test
    void laterObjectsOverwriteEarlierOnesWhateverTheVisitOrder() {
        MedicalImage image = twoObjects().image();
        // first: A = slices 0..9 (start 4), B = 4..11 (start 7): on slice 5 A is painted upwards, B later downwards
        // second: A = 4..11 (start 7), B = 0..9 (start 4): on slice 5 B is painted first, A must not overwrite it
        int[][][] ranges = {{{0, 9}, {4, 11}}, {{4, 11}, {0, 9}}};
        for (int[][] r : ranges) {
            VolumePrompt a = VolumePrompt.ofBox3d(4, 8, r[0][0], 20, 20, r[0][1]);
            VolumePrompt b = VolumePrompt.ofBox3d(14, 8, r[1][0], 30, 20, r[1][1]);
            TruthSegmenter fake = new TruthSegmenter();
            // margin 0 keeps each object's boxes where they started (the fake cannot tell the objects apart)
            PropagationOptions tight = PropagationOptions.builder().margin(0).build();
            VolumeSegmentation res = VolumeSegmenter.of(fake).segment(image, List.of(a, b), tight);
            MedicalImage l = res.labels();
            for (int z = 0; z < 14; z++) {
                boolean inA = z >= r[0][0] && z <= r[0][1];
                boolean inB = z >= r[1][0] && z <= r[1][1];
                assertEquals(inB ? 2 : inA ? 1 : 0, Volumes.label(l, 17, 12, z), "overlap, slice " + z);
                assertEquals(inA ? 1 : 0, Volumes.label(l, 6, 12, z), "A only, slice " + z);
            }
            // each object's steps are those of segmenting it alone
            for (int i = 0; i < 2; i++) {
                VolumePrompt p = List.of(a, b).get(i);
                ObjectPropagation alone = VolumeSegmenter.of(new TruthSegmenter()).segment(image, List.of(p), tight)
                        .objects().get(0);
                assertEquals(alone.steps(), res.objects().get(i).steps());
            }
            // one call per slice and direction, shared by both objects where both need it
            int shared = 0;
            for (TruthSegmenter.Call c : fake.calls) {
                shared += c.boxes().size() == 2 ? 1 : 0;
            }
            assertEquals(3, shared); // slices 7, 8, 9 upwards (first case) or 4, 5, 6 (second case)
        }
    }

    @Test
    void progressIsReportedAfterEachSliceAndCancellationStopsBetweenSlices() {
        TruthSegmenter fake = new TruthSegmenter();
        List<PropagationProgress> seen = new ArrayList<>();
        VolumeSegmenter.of(fake).segment(movingObject().image(), List.of(VolumePrompt.ofBox3d(7, 9, 2, 20, 22, 8)),
                MARGIN_2, seen::add, new CancellationToken());
        assertEquals(7, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i + 1, seen.get(i).slicesDone());
            assertEquals(7, seen.get(i).slicesTotal());
            assertEquals(fake.order().get(i), seen.get(i).slice());
            assertTrue(i == 0 || seen.get(i).elapsed().compareTo(seen.get(i - 1).elapsed()) >= 0);
        }

        TruthSegmenter stopped = new TruthSegmenter();
        CancellationToken token = new CancellationToken();
        CancellationException e = assertThrows(CancellationException.class, () -> VolumeSegmenter.of(stopped).segment(
                movingObject().image(), List.of(VolumePrompt.ofBox3d(7, 9, 2, 20, 22, 8)), MARGIN_2,
                p -> {
                    if (p.slicesDone() == 2) {
                        token.cancel();
                    }
                }, token));
        assertEquals(2, stopped.calls.size());
        assertTrue(e.getMessage().contains("after 2 of 7"), e.getMessage());

        TruthSegmenter never = new TruthSegmenter();
        CancellationToken already = new CancellationToken();
        already.cancel();
        already.cancel();
        assertTrue(already.isCancelled());
        assertThrows(CancellationException.class, () -> VolumeSegmenter.of(never).segment(movingObject().image(),
                List.of(VolumePrompt.ofBox3d(7, 9, 2, 20, 22, 8)), MARGIN_2, PropagationListener.NONE, already));
        assertEquals(0, never.calls.size());

        Thread.currentThread().interrupt();
        try {
            assertThrows(CancellationException.class, () -> VolumeSegmenter.of(never).segment(movingObject().image(),
                    List.of(VolumePrompt.ofBox3d(7, 9, 2, 20, 22, 8)), MARGIN_2));
        } finally {
            Thread.interrupted();
        }
        assertEquals(0, never.calls.size());
    }

    @Test
    void canContinueBeyondTheRangeWhileMasksLastBoundedByMaxExtraSlices() {
        // object on slices 1..10 of 12; range 4..6
        VolumePrompt prompt = VolumePrompt.ofBox3d(8, 9, 4, 30, 22, 6);
        TruthSegmenter fake = new TruthSegmenter();
        List<PropagationProgress> seen = new ArrayList<>();
        ObjectPropagation bounded = VolumeSegmenter.of(fake).segment(movingObject().image(), List.of(prompt),
                MARGIN_2.toBuilder().extendUntilEmpty(2).build(), seen::add, new CancellationToken()).objects().get(0);
        assertEquals(List.of(5, 6, 7, 8, 4, 3, 2), slices(bounded));
        assertEquals(7, seen.get(seen.size() - 1).slicesTotal());
        for (PropagationProgress p : seen) {
            assertTrue(p.slicesDone() <= p.slicesTotal());
        }

        TruthSegmenter far = new TruthSegmenter();
        ObjectPropagation open = VolumeSegmenter.of(far).segment(movingObject().image(), List.of(prompt),
                MARGIN_2.toBuilder().extendUntilEmpty(50).build()).objects().get(0);
        // upwards until slice 11 comes out empty; downwards until slice 0 does
        assertEquals(List.of(5, 6, 7, 8, 9, 10, 11, 4, 3, 2, 1, 0), slices(open));
        assertEquals(0, open.step(11).orElseThrow().pixels());
        assertEquals(0, open.step(0).orElseThrow().pixels());
        assertTrue(open.step(10).orElseThrow().pixels() > 0);

        TruthSegmenter none = new TruthSegmenter();
        VolumeSegmenter.of(none).segment(movingObject().image(), List.of(prompt), MARGIN_2);
        assertEquals(List.of(5, 6, 4), none.order());
    }

    @Test
    void slicesAcrossAnyAxisAndPaintsBackIntoTheVolume() {
        // a 5x6x4 block at x 3..7, y 2..7, z 1..4 in a 12x10x8 volume
        Volumes v = new Volumes(12, 10, 8);
        v.box(3, 2, 1, 7, 7, 4, 77);
        MedicalImage image = v.image();
        // across x (axis 0) the plane is (y, z): box over y 1..8, z 0..5, slices x 3..7
        // across y (axis 1) the plane is (x, z): box over x 2..8, z 0..5, slices y 2..7
        // across z (axis 2) the plane is (x, y)
        Object[][] cases = {
            {0, VolumePrompt.ofBox3d(1, 0, 3, 8, 5, 7), 10, 8},
            {1, VolumePrompt.ofBox3d(2, 0, 2, 8, 5, 7), 12, 8},
            {2, VolumePrompt.ofBox3d(2, 1, 1, 8, 8, 4), 12, 10},
        };
        for (Object[] c : cases) {
            int axis = (int) c[0];
            List<int[]> planeSizes = new ArrayList<>();
            SliceSegmenter truth = new TruthSegmenter();
            SliceSegmenter recording = (slice, boxes) -> {
                planeSizes.add(new int[] {slice.image().width(), slice.image().height()});
                assertEquals(axis, slice.axis());
                return truth.segment(slice, boxes);
            };
            VolumeSegmentation r = VolumeSegmenter.of(recording).segment(image, List.of((VolumePrompt) c[1]),
                    PropagationOptions.builder().axis(axis).margin(1).build());
            for (int[] size : planeSizes) {
                assertEquals(c[2], size[0], "plane width, axis " + axis);
                assertEquals(c[3], size[1], "plane height, axis " + axis);
            }
            for (int z = 0; z < 8; z++) {
                for (int y = 0; y < 10; y++) {
                    for (int x = 0; x < 12; x++) {
                        assertEquals(v.get(x, y, z) != 0 ? 1 : 0, Volumes.label(r.labels(), x, y, z),
                                "axis " + axis + " voxel " + x + "," + y + "," + z);
                    }
                }
            }
        }
    }

    @Test
    void theLabelVolumeKeepsTheSourceGridWithoutItsWindow() {
        MedicalImage source = movingObject().image();
        MedicalImage windowed = source.toBuilder(DataType.UINT8).window(new dev.medsam.core.image.Window(100, 50))
                .data(source.data()).build();
        VolumeSegmentation r = VolumeSegmenter.of(new TruthSegmenter()).segment(windowed,
                List.of(VolumePrompt.ofBox3d(7, 9, 2, 20, 22, 8)));
        MedicalImage labels = r.labels();
        assertEquals(DataType.UINT8, labels.dataType());
        assertEquals(List.of(40, 32, 12), List.of(labels.dim(0), labels.dim(1), labels.dim(2)));
        assertEquals(3, labels.rank());
        assertEquals(1, labels.components());
        assertEquals(source.affine(CoordinateSystem.LPS), labels.affine(CoordinateSystem.LPS));
        assertEquals("synthetic", labels.attributes().get("test.origin"));
        assertEquals("MR", labels.modality().orElseThrow());
        assertTrue(labels.window().isEmpty());
        assertTrue(labels.rescale().isIdentity());
        assertEquals(IntensityPreset.asIs(), r.preset());
        assertEquals(r.labelVolume().dims()[2], 12);
    }

    @Test
    void moreThan255ObjectsGiveAUint16LabelVolume() {
        Volumes v = new Volumes(20, 20, 3);
        v.box(0, 0, 0, 19, 19, 2, 1);
        List<VolumePrompt> prompts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int x = i % 20;
            int y = i / 20;
            prompts.add(VolumePrompt.ofBox3d(x, y, 1, x + 0.5, y + 0.5, 1));
        }
        TruthSegmenter fake = new TruthSegmenter();
        MedicalImage labels = VolumeSegmenter.of(fake).segment(v.image(), prompts, MARGIN_2).labels();
        assertEquals(DataType.UINT16, labels.dataType());
        assertEquals(1, fake.calls.size()); // 300 boxes, one slice, one call
        for (int i = 0; i < 300; i++) {
            assertEquals(i + 1, Volumes.label(labels, i % 20, i / 20, 1));
        }
        assertEquals(0, Volumes.label(labels, 0, 0, 0));
        assertEquals(0, Volumes.label(labels, 19, 19, 1)); // position 399: no object
    }

    @Test
    void aTimePointOfA4dSeriesIsSegmentedOnItsOwnGrid() {
        int nx = 16;
        int ny = 12;
        int nz = 5;
        byte[] data = new byte[nx * ny * nz * 3];
        // t = 0: object at x 1..4; t = 1: at x 9..13; t = 2: empty
        for (int t = 0; t < 2; t++) {
            for (int z = 0; z < nz; z++) {
                for (int y = 3; y <= 8; y++) {
                    for (int x = t == 0 ? 1 : 9; x <= (t == 0 ? 4 : 13); x++) {
                        data[x + nx * (y + ny * (z + nz * t))] = 50;
                    }
                }
            }
        }
        Volumes geometry = new Volumes(nx, ny, nz);
        MedicalImage series = MedicalImage.builder(DataType.UINT8, nx, ny, nz, 3)
                .affine(geometry.image().affine(CoordinateSystem.RAS)).data(ByteBuffer.wrap(data)).build();
        VolumePrompt wide = VolumePrompt.ofBox3d(0, 0, 0, 15, 11, 4);
        MedicalImage labels = VolumeSegmenter.of(new TruthSegmenter()).segment(series, List.of(wide),
                PropagationOptions.builder().time(1).margin(1).build()).labels();
        assertEquals(3, labels.rank());
        assertEquals(series.affine(CoordinateSystem.LPS), labels.affine(CoordinateSystem.LPS));
        assertEquals(1, Volumes.label(labels, 10, 5, 2));
        assertEquals(0, Volumes.label(labels, 2, 5, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VolumeSegmenter
                .of(new TruthSegmenter()).segment(series, List.of(wide), PropagationOptions.builder().time(3).build()));
        assertTrue(e.getMessage().contains("time index 3") && e.getMessage().contains("0..2"), e.getMessage());
    }

    @Test
    void theIntensityPresetUsesTheWholeVolumesStatistics() {
        // CT, 4x4x2: slice 0 spans 0..100 HU, slice 1 spans -1000..1000 HU
        ByteBuffer b = ByteBuffer.allocate(4 * 4 * 2 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) {
            b.putShort((short) (i == 5 ? 100 : 0));
        }
        for (int i = 0; i < 16; i++) {
            b.putShort((short) (i % 2 == 0 ? -1000 : 1000));
        }
        MedicalImage ct = MedicalImage.builder(DataType.INT16, 4, 4, 2).modality("CT").data(b.flip()).build();
        List<MedicalImage> planes = new ArrayList<>();
        SliceSegmenter recording = (slice, boxes) -> {
            planes.add(slice.image());
            return List.of(BinaryMask.of(4, 4, new byte[16]));
        };
        VolumeSegmentation r = VolumeSegmenter.of(recording).segment(ct,
                List.of(VolumePrompt.ofBox3d(0, 0, 0, 3, 3, 1)));
        assertEquals("soft-tissue", r.preset().name()); // CT default
        // window 40/400 clips to -160..240; the clipped VOLUME spans that whole window, so 100 HU ->
        // (100 + 160) / 400 * 255 = 165.75 -> 165 (slice 0 alone would span 0..100 and give 255)
        MedicalImage slice0 = planes.stream().filter(p -> p.get(0) == 102).findFirst().orElseThrow();
        assertEquals(165, slice0.get(5));
        assertEquals(IntensityPreset.ctWindow("soft-tissue").apply(ct).plane(2, 0, 0).data(), slice0.data());
        assertEquals(1, Volumes.label(r.labels(), 0, 0, 0) + 1); // empty masks: label volume all 0
    }

    @Test
    void badInputIsRejectedWithTheValueThatIsWrong() {
        VolumeSegmenter s = VolumeSegmenter.of(new TruthSegmenter());
        MedicalImage volume = movingObject().image();
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class,
                () -> s.segment(volume.plane(2, 3, 0), List.of(VolumePrompt.ofBox3d(1, 1, 0, 5, 5, 0))));
        assertTrue(flat.getMessage().contains("2D"), flat.getMessage());
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class,
                () -> s.segment(volume, List.of(VolumePrompt.ofBox3d(1, 1, 0, 5, 5, 3), VolumePrompt.ofBox3d(1, 1, 4, 5, 5, 12))));
        assertTrue(deep.getMessage().contains("object 2") && deep.getMessage().contains("4..12")
                && deep.getMessage().contains("12 slices"), deep.getMessage());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> s.segment(volume, List.of(VolumePrompt.ofBox3d(41, 1, 0, 50, 5, 3))));
        assertTrue(outside.getMessage().contains("object 1") && outside.getMessage().contains("40x32"),
                outside.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> s.segment(volume, List.of()));
        assertTrue(none.getMessage().contains("no objects"), none.getMessage());
        List<VolumePrompt> withNull = new ArrayList<>();
        withNull.add(null);
        NullPointerException npe = assertThrows(NullPointerException.class, () -> s.segment(volume, withNull));
        assertTrue(npe.getMessage().contains("object 1"), npe.getMessage());
        MedicalImage int16 = MedicalImage.builder(DataType.INT16, 8, 8, 2).data(ByteBuffer.allocate(256)).build();
        IllegalArgumentException preset = assertThrows(IllegalArgumentException.class, () -> s.segment(
                int16, List.of(VolumePrompt.ofBox3d(1, 1, 0, 5, 5, 1)),
                PropagationOptions.builder().preset(IntensityPreset.asIs()).build()));
        assertTrue(preset.getMessage().startsWith("intensity preset as-is on MedicalImage[int16"), preset.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PropagationOptions.builder().axis(3));
        assertThrows(IllegalArgumentException.class, () -> PropagationOptions.builder().margin(-1));
        assertThrows(IllegalArgumentException.class, () -> PropagationOptions.builder().margin(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> PropagationOptions.builder().extendUntilEmpty(-1));
        assertThrows(IllegalArgumentException.class, () -> PropagationOptions.builder().time(-1));
    }

    @Test
    void aSegmenterReturningTheWrongMasksIsReported() {
        MedicalImage volume = movingObject().image();
        List<VolumePrompt> one = List.of(VolumePrompt.ofBox3d(7, 9, 2, 20, 22, 8));
        IllegalStateException count = assertThrows(IllegalStateException.class,
                () -> VolumeSegmenter.of((slice, boxes) -> List.of()).segment(volume, one));
        assertTrue(count.getMessage().contains("0 masks for 1 boxes on slice 5"), count.getMessage());
        IllegalStateException size = assertThrows(IllegalStateException.class,
                () -> VolumeSegmenter.of((slice, boxes) -> List.of(BinaryMask.of(2, 2, new byte[4]))).segment(volume, one));
        assertTrue(size.getMessage().contains("2x2 mask for the 40x32 slice 5"), size.getMessage());
    }
}
