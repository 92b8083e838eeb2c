package dev.medsam.benchmarks.support;

import dev.medsam.core.Box;
import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.SplittableRandom;

/**
 * A synthetic abdominal CT volume in Hounsfield units (int16), deterministic for given dimensions: air around an
 * elliptic body of soft tissue, two lungs, a spine and a liver-like ellipsoid, with +-12 HU of noise. The noise
 * and the smooth regions make gzip and the resizes work about as hard as on a real scan (all-zero or random data
 * would not); no real patient data is needed.
 *
 * <p>Geometry: 0.8 x 0.8 mm pixels, 2.5 mm slices, LPS, origin at (-200, -200, 0) mm.
 */
public final class CtPhantom {

    /** Pixel spacing (x, y) and slice step in millimetres. */
    public static final double[] SPACING = {0.8, 0.8, 2.5};

    private final int width;
    private final int height;
    private final int slices;

    private CtPhantom(int width, int height, int slices) {
        if (width < 16 || height < 16 || slices < 1) {
            throw new IllegalArgumentException("phantom of " + width + "x" + height + "x" + slices
                    + " is too small (at least 16x16x1)");
        }
        this.width = width;
        this.height = height;
        this.slices = slices;
    }

    /** A phantom of {@code width x height} pixels and {@code slices} slices. */
    public static CtPhantom of(int width, int height, int slices) {
        return new CtPhantom(width, height, slices);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int slices() {
        return slices;
    }

    /** The whole volume, dims (width, height, slices), modality CT, HU stored directly (identity rescale). */
    public MedicalImage volume() {
        ByteBuffer data = ByteBuffer.allocate(Math.multiplyExact(2 * width * height, slices)).order(ByteOrder.LITTLE_ENDIAN);
        ShortBuffer values = data.asShortBuffer();
        short[] plane = new short[width * height];
        for (int z = 0; z < slices; z++) {
            fillSlice(z, plane);
            values.put(plane);
        }
        return MedicalImage.builder(DataType.INT16, width, height, slices)
                .modality("CT")
                .affine(Affine.ofSpacing(CoordinateSystem.LPS, SPACING, new double[] {-200, -200, 0}))
                .data(data)
                .build();
    }

    /** Slice {@code z} as a 2D int16 image (dims width, height), modality CT. */
    public MedicalImage slice(int z) {
        checkSlice(z);
        short[] plane = new short[width * height];
        fillSlice(z, plane);
        ByteBuffer data = ByteBuffer.allocate(2 * plane.length).order(ByteOrder.LITTLE_ENDIAN);
        data.asShortBuffer().put(plane);
        return MedicalImage.builder(DataType.INT16, width, height).modality("CT").data(data).build();
    }

    /** Slice {@code z} in HU, row-major (x fastest). */
    public short[] sliceValues(int z) {
        checkSlice(z);
        short[] plane = new short[width * height];
        fillSlice(z, plane);
        return plane;
    }

    /** The liver's bounding box on the middle slice, in pixels (x0, y0, x1, y1), with a 5-pixel margin. */
    public Box liverBoxOnMiddleSlice() {
        double cx = 0.36 * width;
        double cy = 0.52 * height;
        double rx = 0.17 * width;
        double ry = 0.15 * height;
        return new Box(cx - rx - 5, cy - ry - 5, cx + rx + 5, cy + ry + 5);
    }

    private void checkSlice(int z) {
        if (z < 0 || z >= slices) {
            throw new IndexOutOfBoundsException("slice " + z + " outside 0.." + (slices - 1));
        }
    }

    private void fillSlice(int z, short[] plane) {
        SplittableRandom noise = new SplittableRandom(0x5EED_0000L + z);
        double zc = slices == 1 ? 0 : (z - (slices - 1) / 2.0) / (slices / 2.0); // -1..1 over the volume
        // Liver: an ellipsoid spanning most of the slices, shrinking towards its ends.
        double liverScale = Math.sqrt(Math.max(0, 1 - (zc / 1.2) * (zc / 1.2)));
        for (int y = 0; y < height; y++) {
            double v = (y + 0.5) / height;
            for (int x = 0; x < width; x++) {
                double u = (x + 0.5) / width;
                int hu;
                if (inEllipse(u, v, 0.5, 0.5, 0.44, 0.34)) {
                    hu = 40; // soft tissue
                    if (inEllipse(u, v, 0.5, 0.75, 0.05, 0.05)) {
                        hu = 700; // spine
                    } else if (inEllipse(u, v, 0.33, 0.33, 0.1, 0.09) || inEllipse(u, v, 0.67, 0.33, 0.1, 0.09)) {
                        hu = -850; // lungs
                    } else if (liverScale > 0 && inEllipse(u, v, 0.36, 0.52, 0.17 * liverScale, 0.15 * liverScale)) {
                        hu = 60; // liver
                    }
                } else {
                    hu = -1000; // air
                }
                plane[y * width + x] = (short) (hu + noise.nextInt(25) - 12);
            }
        }
    }

    private static boolean inEllipse(double u, double v, double cu, double cv, double ru, double rv) {
        double a = (u - cu) / ru;
        double b = (v - cv) / rv;
        return a * a + b * b <= 1;
    }
}
