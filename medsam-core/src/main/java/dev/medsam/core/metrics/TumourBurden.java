package dev.medsam.core.metrics;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.PatientPoint;
import dev.medsam.core.image.VoxelIndex;
import dev.medsam.core.metrics.internal.Components;
import dev.medsam.core.metrics.internal.LabelArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Tumour (or organ) burden of a label map: per label, the voxel count, volume, bounding box and number of
 * connected components. The numbers MedSAM's papers compare with experts' measurements (volume = voxel count
 * times voxel volume).
 *
 * <pre>{@code
 * LabelVolume seg = LabelVolume.from(mask);          // a MedicalImage label map
 * TumourBurden burden = TumourBurden.of(seg);
 * for (LabelBurden l : burden.labels()) {
 *     System.out.printf("label %d: %.2f mL in %d pieces%n", l.label(), l.volumeMl(), l.components());
 * }
 * }</pre>
 *
 * <p>A command line can write it as JSON with snake-case names:
 * {@code {"spacing_mm": [..], "system": "LPS", "labels": [{"label": 1, "voxels": N, "volume_ml": V, ...}]}}.
 *
 * @param spacingMm voxel size per axis, x first
 * @param system    the coordinate system of every {@link LabelBurden#bboxMm()}
 * @param labels    one entry per non-zero label present, ascending by label
 */
public record TumourBurden(double[] spacingMm, CoordinateSystem system, List<LabelBurden> labels) {

    public TumourBurden {
        spacingMm = spacingMm.clone();
        Objects.requireNonNull(system, "coordinate system");
        labels = List.copyOf(labels);
    }

    /** The burden of {@code volume}, boxes in LPS. Time and memory grow with the number of voxel runs along x. */
    public static TumourBurden of(LabelVolume volume) {
        return of(volume, CoordinateSystem.LPS);
    }

    /** The burden of {@code volume}, mm boxes in {@code system}. */
    public static TumourBurden of(LabelVolume volume, CoordinateSystem system) {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(system, "coordinate system");
        int rank = volume.rank();
        int[] dims = volume.dims();
        double[] spacing = volume.spacingMm();
        LabelArray labelArray = volume.labels();
        Components cc = Components.find(labelArray, dims, Components.Mode.VOLUME);
        int[] present = volume.labelsPresent();
        int n = present.length;
        long[] voxels = new long[n];
        int[] components = new int[n];
        int[][] min = new int[n][3];
        int[][] max = new int[n][3];
        for (int i = 0; i < n; i++) {
            Arrays.fill(min[i], Integer.MAX_VALUE);
            Arrays.fill(max[i], -1);
        }
        int nx = dims[0];
        int ny = dims[1];
        for (int r = 0; r < cc.runCount(); r++) {
            int i = Arrays.binarySearch(present, cc.runLabel(r));
            int row = cc.runRow(r);
            int y = row % ny;
            int z = row / ny;
            int x0 = cc.runStart(r) - row * nx;
            int x1 = cc.runEnd(r) - row * nx;
            voxels[i] += x1 - x0 + 1;
            if (cc.isComponentRoot(r)) {
                components[i]++;
            }
            min[i][0] = Math.min(min[i][0], x0);
            max[i][0] = Math.max(max[i][0], x1);
            min[i][1] = Math.min(min[i][1], y);
            max[i][1] = Math.max(max[i][1], y);
            min[i][2] = Math.min(min[i][2], z);
            max[i][2] = Math.max(max[i][2], z);
        }
        double cell = 1;
        for (double s : spacing) {
            cell *= s;
        }
        Affine affine = volume.affine().to(system);
        List<LabelBurden> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int[] box = new int[2 * rank];
            for (int a = 0; a < rank; a++) {
                box[a] = min[i][a];
                box[a + rank] = max[i][a];
            }
            double size = voxels[i] * cell;
            out.add(new LabelBurden(present[i], voxels[i], rank == 3 ? size / 1000 : Double.NaN,
                    rank == 2 ? size : Double.NaN, box, boxMm(affine, rank, min[i], max[i]), components[i]));
        }
        return new TumourBurden(spacing, system, out);
    }

    /** The axis-aligned patient box around the voxel extents min - 1/2 .. max + 1/2 (k fixed at 0 in 2D). */
    private static double[] boxMm(Affine affine, int rank, int[] min, int[] max) {
        double[] box = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        int cornerCount = 1 << rank;
        for (int c = 0; c < cornerCount; c++) {
            double i = (c & 1) == 0 ? min[0] - 0.5 : max[0] + 0.5;
            double j = (c & 2) == 0 ? min[1] - 0.5 : max[1] + 0.5;
            double k = rank == 2 ? 0 : (c & 4) == 0 ? min[2] - 0.5 : max[2] + 0.5;
            PatientPoint p = affine.apply(new VoxelIndex(i, j, k));
            double[] v = {p.x(), p.y(), p.z()};
            for (int a = 0; a < 3; a++) {
                box[a] = Math.min(box[a], v[a]);
                box[a + 3] = Math.max(box[a + 3], v[a]);
            }
        }
        return box;
    }

    /** Voxel size per axis, a copy. */
    @Override
    public double[] spacingMm() {
        return spacingMm.clone();
    }

    /** The entry for {@code label}, if the label is present. */
    public Optional<LabelBurden> label(int label) {
        return labels.stream().filter(l -> l.label() == label).findFirst();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TumourBurden t && Arrays.equals(t.spacingMm, spacingMm) && t.system == system
                && t.labels.equals(labels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(spacingMm) + system.hashCode()) + labels.hashCode();
    }

    @Override
    public String toString() {
        return "TumourBurden[spacing " + Arrays.toString(spacingMm) + " mm, " + system + ", " + labels + "]";
    }
}
