package dev.medsam.core.metrics;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TumourBurdenTest {

    private static final int[] DIMS = {20, 16, 12};
    private static final double[] SPACING = {0.8, 0.8, 2.5};

    /** Label 1: a 4x3x2 box plus one voxel touching its corner diagonally plus a far 2x2x1 piece; label 2: 3x3x3. */
    private static int[] labels() {
        int[] l = Masks.box(DIMS, new int[] {2, 3, 1}, new int[] {5, 5, 2}, 1);
        l[6 + 20 * (6 + 16 * 3)] = 1;                                          // (6, 6, 3) touches (5, 5, 2)
        Masks.fillBox(l, DIMS, new int[] {15, 12, 9}, new int[] {16, 13, 9}, 1);
        Masks.fillBox(l, DIMS, new int[] {10, 1, 5}, new int[] {12, 3, 7}, 2);
        return l;
    }

    @Test
    void countsVolumesBoxesAndComponents() {
        TumourBurden b = TumourBurden.of(LabelVolume.of(DIMS, SPACING, labels()));
        assertArrayEquals(SPACING, b.spacingMm());
        assertEquals(CoordinateSystem.LPS, b.system());
        assertEquals(2, b.labels().size());
        LabelBurden one = b.label(1).orElseThrow();
        assertEquals(24 + 1 + 4, one.voxels());
        assertEquals(29 * 0.8 * 0.8 * 2.5 / 1000, one.volumeMl(), 1e-15);
        assertTrue(Double.isNaN(one.areaMm2()));
        assertEquals(2, one.components());
        assertArrayEquals(new int[] {2, 3, 1, 16, 13, 9}, one.bboxVoxels());
        // Identity directions, origin 0: voxel extents (index -/+ 0.5) times the spacing.
        assertArrayEquals(new double[] {1.5 * 0.8, 2.5 * 0.8, 0.5 * 2.5, 16.5 * 0.8, 13.5 * 0.8, 9.5 * 2.5}, one.bboxMm(), 1e-12);
        assertArrayEquals(new double[] {15 * 0.8, 11 * 0.8, 9 * 2.5}, one.extentMm(), 1e-12);
        LabelBurden two = b.label(2).orElseThrow();
        assertEquals(27, two.voxels());
        assertEquals(1, two.components());
        assertTrue(b.label(3).isEmpty());
    }

    @Test
    void boxesGoThroughTheAffineIntoTheChosenSystem() {
        // x runs to patient right (-L), y posterior, slices downwards, origin (100, -50, 30) in LPS.
        Affine affine = Affine.of(CoordinateSystem.LPS,
                -0.8, 0, 0, 100,
                0, 0.8, 0, -50,
                0, 0, -2.5, 30);
        byte[] bytes = new byte[20 * 16 * 12];
        int[] l = labels();
        for (int i = 0; i < l.length; i++) {
            bytes[i] = (byte) l[i];
        }
        MedicalImage image = MedicalImage.builder(DataType.UINT8, DIMS).affine(affine).data(ByteBuffer.wrap(bytes)).build();
        LabelVolume v = LabelVolume.from(image);
        LabelBurden two = TumourBurden.of(v).label(2).orElseThrow();
        // Label 2 spans x 10..12, y 1..3, z 5..7: extents 9.5..12.5, 0.5..3.5, 4.5..7.5 in index space.
        double[] lps = {100 - 12.5 * 0.8, -50 + 0.5 * 0.8, 30 - 7.5 * 2.5, 100 - 9.5 * 0.8, -50 + 3.5 * 0.8, 30 - 4.5 * 2.5};
        assertArrayEquals(lps, two.bboxMm(), 1e-12);
        LabelBurden ras = TumourBurden.of(v, CoordinateSystem.RAS).label(2).orElseThrow();
        assertArrayEquals(new double[] {-lps[3], -lps[4], lps[2], -lps[0], -lps[1], lps[5]}, ras.bboxMm(), 1e-12);
        assertEquals(CoordinateSystem.RAS, TumourBurden.of(v, CoordinateSystem.RAS).system());
    }

    @Test
    void twoDimensionalImagesReportAreas() {
        int[] dims = {10, 8};
        int[] l = Masks.box(dims, new int[] {1, 1}, new int[] {3, 2}, 4);
        l[4 + 10 * 3] = 4;   // diagonal neighbour of (3, 2): 8-connected
        l[9 + 10 * 7] = 4;   // alone
        TumourBurden b = TumourBurden.of(LabelVolume.of(dims, new double[] {0.5, 0.25}, l));
        LabelBurden four = b.labels().get(0);
        assertEquals(4, four.label());
        assertEquals(8, four.voxels());
        assertEquals(8 * 0.5 * 0.25, four.areaMm2(), 1e-15);
        assertTrue(Double.isNaN(four.volumeMl()));
        assertEquals(2, four.components());
        assertArrayEquals(new int[] {1, 1, 9, 7}, four.bboxVoxels());
        assertArrayEquals(new double[] {0.5 * 0.5, 0.5 * 0.25, 0, 9.5 * 0.5, 7.5 * 0.25, 0}, four.bboxMm(), 1e-12);
    }

    @Test
    void anEmptyVolumeHasNoLabels() {
        assertTrue(TumourBurden.of(LabelVolume.of(new int[] {3, 3, 3}, new double[] {1, 1, 1}, new int[27])).labels().isEmpty());
    }

    @Test
    void cleanupRemovesSmallComponentsAsMedSamDoes() {
        LabelVolume v = LabelVolume.of(DIMS, SPACING, labels());
        LabelVolume cleaned = v.withoutComponentsSmallerThan(5);
        TumourBurden b = TumourBurden.of(cleaned);
        // The 2x2x1 piece of label 1 (4 voxels) goes; the 25-voxel piece and label 2 stay.
        assertEquals(25, b.label(1).orElseThrow().voxels());
        assertEquals(1, b.label(1).orElseThrow().components());
        assertEquals(27, b.label(2).orElseThrow().voxels());
        assertEquals(0, cleaned.label(15, 12, 9));
        assertEquals(1, cleaned.label(6, 6, 3));
        assertSame(v, v.withoutComponentsSmallerThan(4), "nothing below 4 voxels: the same volume");
        // Per slice: the lone voxel at z = 3 is a 1-pixel component there.
        LabelVolume sliced = v.withoutSliceComponentsSmallerThan(2);
        assertEquals(0, sliced.label(6, 6, 3));
        assertEquals(1, sliced.label(15, 12, 9));
        assertEquals(28, TumourBurden.of(sliced).label(1).orElseThrow().voxels());
    }
}
