package dev.medsam.io.dicom.internal;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.Rescale;
import dev.medsam.core.image.Window;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Frame geometry from functional groups, and affines in the convention of DICOM readers (nibabel, ITK): column i
 * runs along the row direction cosines times the column spacing PixelSpacing[1], row j along the column direction
 * cosines times PixelSpacing[0], slice k along cross(row, column) times the slice step.
 */
public final class Geometry {

    /** Direction cosines closer than this are the same orientation. */
    public static final double ORIENTATION_TOLERANCE = 1e-4;

    private Geometry() {
    }

    /** Per-frame data for every frame of {@code ds}. */
    public static List<FrameData> frames(Attributes ds, int frames) throws IOException {
        Attributes shared = ds.firstItem(Tags.SHARED_FUNCTIONAL_GROUPS_SEQUENCE).orElse(null);
        List<Attributes> perFrame = ds.sequence(Tags.PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE);
        if (!perFrame.isEmpty() && perFrame.size() != frames) {
            throw new IOException(ds.source() + ": Per-frame Functional Groups (5200,9230) has " + perFrame.size()
                    + " items for " + frames + " frames");
        }
        boolean groups = shared != null || !perFrame.isEmpty();
        double[] gridOffsets = frames > 1 && !groups ? ds.doubles(Tags.GRID_FRAME_OFFSET_VECTOR) : new double[0];
        if (gridOffsets.length > 0 && gridOffsets.length != frames) {
            throw new IOException(ds.source() + ": Grid Frame Offset Vector " + Tags.format(Tags.GRID_FRAME_OFFSET_VECTOR)
                    + " has " + gridOffsets.length + " values for " + frames + " frames (0028,0008)");
        }
        List<FrameData> out = new ArrayList<>(frames);
        for (int f = 0; f < frames; f++) {
            Attributes item = perFrame.isEmpty() ? null : perFrame.get(f);
            double[] pos = vector(group(item, shared, Tags.PLANE_POSITION_SEQUENCE, Tags.IMAGE_POSITION_PATIENT), 3,
                    Tags.IMAGE_POSITION_PATIENT, ds);
            if (pos == null && (!groups || frames == 1)) {
                pos = vector(ds.doubles(Tags.IMAGE_POSITION_PATIENT), 3, Tags.IMAGE_POSITION_PATIENT, ds);
                if (frames > 1 && f > 0) {
                    pos = null; // a classic multi-frame object states only where its first frame is
                }
            }
            double[] iop = vector(group(item, shared, Tags.PLANE_ORIENTATION_SEQUENCE, Tags.IMAGE_ORIENTATION_PATIENT), 6,
                    Tags.IMAGE_ORIENTATION_PATIENT, ds);
            if (iop == null) {
                iop = vector(ds.doubles(Tags.IMAGE_ORIENTATION_PATIENT), 6, Tags.IMAGE_ORIENTATION_PATIENT, ds);
            }
            if (gridOffsets.length > 0) {
                pos = gridPosition(ds, iop, gridOffsets, f);
            }
            double[] ps = vector(group(item, shared, Tags.PIXEL_MEASURES_SEQUENCE, Tags.PIXEL_SPACING), 2, Tags.PIXEL_SPACING, ds);
            if (ps == null) {
                ps = vector(ds.doubles(Tags.PIXEL_SPACING), 2, Tags.PIXEL_SPACING, ds);
            }
            if (ps == null) {
                ps = vector(ds.doubles(Tags.IMAGER_PIXEL_SPACING), 2, Tags.IMAGER_PIXEL_SPACING, ds);
            }
            double thick = first(group(item, shared, Tags.PIXEL_MEASURES_SEQUENCE, Tags.SLICE_THICKNESS),
                    ds.doubles(Tags.SLICE_THICKNESS));
            double between = first(group(item, shared, Tags.PIXEL_MEASURES_SEQUENCE, Tags.SPACING_BETWEEN_SLICES),
                    ds.doubles(Tags.SPACING_BETWEEN_SLICES));
            double[] slope = group(item, shared, Tags.PIXEL_VALUE_TRANSFORMATION_SEQUENCE, Tags.RESCALE_SLOPE);
            double[] inter = group(item, shared, Tags.PIXEL_VALUE_TRANSFORMATION_SEQUENCE, Tags.RESCALE_INTERCEPT);
            if (slope.length == 0 && inter.length == 0) {
                slope = ds.doubles(Tags.RESCALE_SLOPE);
                inter = ds.doubles(Tags.RESCALE_INTERCEPT);
            }
            Rescale rescale;
            double s = slope.length > 0 ? slope[0] : 1;
            double i = inter.length > 0 ? inter[0] : 0;
            if (s == 0) {
                throw new IOException(ds.source() + ": Rescale Slope (0028,1053) of frame " + (f + 1) + " is 0");
            }
            rescale = new Rescale(s, i);
            double[] wc = group(item, shared, Tags.FRAME_VOI_LUT_SEQUENCE, Tags.WINDOW_CENTER);
            double[] ww = group(item, shared, Tags.FRAME_VOI_LUT_SEQUENCE, Tags.WINDOW_WIDTH);
            if (wc.length == 0 || ww.length == 0) {
                wc = ds.doubles(Tags.WINDOW_CENTER);
                ww = ds.doubles(Tags.WINDOW_WIDTH);
            }
            Window window = wc.length > 0 && ww.length > 0 && ww[0] > 0 ? new Window(wc[0], ww[0]) : null;
            String ref = null;
            int segment = 0;
            if (item != null) {
                for (Attributes der : item.sequence(Tags.DERIVATION_IMAGE_SEQUENCE)) {
                    for (Attributes srcImg : der.sequence(Tags.SOURCE_IMAGE_SEQUENCE)) {
                        if (ref == null) {
                            ref = srcImg.string(Tags.REFERENCED_SOP_INSTANCE_UID).orElse(null);
                        }
                    }
                }
            }
            double[] seg = group(item, shared, Tags.SEGMENT_IDENTIFICATION_SEQUENCE, Tags.REFERENCED_SEGMENT_NUMBER);
            if (seg.length > 0) {
                segment = (int) seg[0];
            }
            out.add(new FrameData(pos, iop, ps, thick, between, rescale, window, ref, segment));
        }
        return out;
    }

    /**
     * Where frame {@code f} of an RT Dose (or other classic multi-frame object with a Grid Frame Offset Vector) lies
     * (PS3.3 C.8.8.3.2): offsets along the normal of Image Orientation (Patient) from Image Position (Patient) when
     * the first offset is 0, else (allowed only for axial grids) the coordinate along the normal itself.
     */
    private static double[] gridPosition(Attributes ds, double[] iop, double[] offsets, int f) throws IOException {
        double[] ipp = vector(ds.doubles(Tags.IMAGE_POSITION_PATIENT), 3, Tags.IMAGE_POSITION_PATIENT, ds);
        double[][] dirs = directions(iop);
        if (ipp == null || dirs == null) {
            return null; // nothing to offset from: the frames stay unpositioned, as without the vector
        }
        for (double o : offsets) {
            if (!Double.isFinite(o)) {
                throw new IOException(ds.source() + ": Grid Frame Offset Vector "
                        + Tags.format(Tags.GRID_FRAME_OFFSET_VECTOR) + " holds " + o);
            }
        }
        double[] n = dirs[2];
        double along = offsets[0] == 0 ? offsets[f] : offsets[f] - dot(ipp, n);
        return new double[] {ipp[0] + along * n[0], ipp[1] + along * n[1], ipp[2] + along * n[2]};
    }

    /** A value from the frame's own functional group item, else from the shared one. */
    private static double[] group(Attributes item, Attributes shared, int seqTag, int valueTag) throws IOException {
        if (item != null) {
            var it = item.firstItem(seqTag);
            if (it.isPresent() && it.get().contains(valueTag)) {
                return it.get().doubles(valueTag);
            }
        }
        if (shared != null) {
            var it = shared.firstItem(seqTag);
            if (it.isPresent() && it.get().contains(valueTag)) {
                return it.get().doubles(valueTag);
            }
        }
        return new double[0];
    }

    private static double first(double[] a, double[] b) {
        if (a.length > 0 && a[0] > 0) {
            return a[0];
        }
        return b.length > 0 && b[0] > 0 ? b[0] : Double.NaN;
    }

    private static double[] vector(double[] v, int n, int tag, Attributes ds) throws IOException {
        if (v.length == 0) {
            return null;
        }
        if (v.length < n) {
            throw new IOException(ds.source() + ": " + Tags.format(tag) + " has " + v.length + " values, needs " + n);
        }
        return v.length == n ? v : java.util.Arrays.copyOf(v, n);
    }

    public static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    public static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    /**
     * Row and column direction cosines of {@code iop} and their normal, each scaled to unit length, or null if they are
     * not usable (zero or parallel). Writers round the cosines to a few decimals (0.99999\0.00436\...) or scale them
     * wrongly; unnormalised, the error would go straight into the voxel size of the affine.
     */
    public static double[][] directions(double[] iop) {
        if (iop == null) {
            return null;
        }
        double[] r = unit(new double[] {iop[0], iop[1], iop[2]});
        double[] c = unit(new double[] {iop[3], iop[4], iop[5]});
        if (r == null || c == null) {
            return null;
        }
        double[] n = cross(r, c);
        double len = Math.sqrt(dot(n, n));
        if (len < 0.5) {
            return null;
        }
        return new double[][] {r, c, {n[0] / len, n[1] / len, n[2] / len}};
    }

    private static double[] unit(double[] v) {
        double len = Math.sqrt(dot(v, v));
        if (!(len > 1e-6) || !Double.isFinite(len)) {
            return null;
        }
        return new double[] {v[0] / len, v[1] / len, v[2] / len};
    }

    /** Whether two orientations agree within {@link #ORIENTATION_TOLERANCE}. */
    public static boolean sameOrientation(double[] a, double[] b) {
        if (a == null || b == null) {
            return a == b;
        }
        for (int i = 0; i < 6; i++) {
            if (Math.abs(a[i] - b[i]) > ORIENTATION_TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    /**
     * The LPS affine with column i = row * spacing[1], column j = col * spacing[0], column k = {@code slice}, origin
     * {@code origin}.
     */
    public static Affine affine(double[] row, double[] col, double[] spacing, double[] slice, double[] origin) {
        return Affine.of(CoordinateSystem.LPS,
                row[0] * spacing[1], col[0] * spacing[0], slice[0], origin[0],
                row[1] * spacing[1], col[1] * spacing[0], slice[1], origin[1],
                row[2] * spacing[1], col[2] * spacing[0], slice[2], origin[2]);
    }
}
