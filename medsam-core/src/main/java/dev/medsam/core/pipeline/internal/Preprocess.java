package dev.medsam.core.pipeline.internal;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageTensor;

import java.nio.ByteBuffer;

/** The two pipelines' image preprocessing, from an 8-bit 2D image to the (1, 3, 1024, 1024) network input. */
public final class Preprocess {

    /** Side of the model frame. */
    public static final int SIZE = ImageTensor.SIZE;
    /** Segment Anything's pixel mean (RGB, 0..255), float32 as its buffer. */
    static final float[] SAM_MEAN = {123.675f, 116.28f, 103.53f};
    /** Segment Anything's pixel standard deviation (RGB, 0..255), float32 as its buffer. */
    static final float[] SAM_STD = {58.395f, 57.12f, 57.375f};

    private Preprocess() {
    }

    /**
     * The colour planes of an 8-bit 2D image: one plane for grey (and grey + alpha), three for RGB (and RGBA);
     * alpha is dropped, as the network takes three channels.
     *
     * @throws IllegalArgumentException if the image is not 8-bit unsigned or not 2D
     */
    public static byte[][] planes(MedicalImage image) {
        requireUint8Plane(image);
        int n = image.width() * image.height();
        int comps = image.components();
        int colours = comps >= 3 ? 3 : 1;
        byte[][] planes = new byte[colours][n];
        ByteBuffer d = image.data();
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < colours; c++) {
                planes[c][i] = d.get(i * comps + c);
            }
        }
        return planes;
    }

    /** Checks that {@code image} is an 8-bit unsigned 2D image (extra axes of size 1 allowed). */
    public static void requireUint8Plane(MedicalImage image) {
        if (image.dataType() != DataType.UINT8) {
            throw new IllegalArgumentException("the model takes an 8-bit image; this one is "
                    + image.dataType().numpyName() + ": apply an IntensityPreset first (CT window or percentile)");
        }
        for (int a = 2; a < image.rank(); a++) {
            if (image.dim(a) != 1) {
                throw new IllegalArgumentException("the 2D pipeline takes one image; this one has dims "
                        + java.util.Arrays.toString(image.dims()) + ": take a plane first (MedicalImage.plane)");
            }
        }
    }

    /**
     * MedSAM: repeat grey to RGB, skimage's order-3 resize to 1024x1024 (uint8), global min-max to [0, 1] in
     * double rounded to float32, channel-first.
     */
    public static ImageTensor medsam(MedicalImage image) {
        byte[][] planes = planes(image);
        byte[][] resized = SplineResize.resize(planes, planes.length == 1, image.width(), image.height(), SIZE, SIZE);
        return medsamTensor(resized);
    }

    /** The min-max normalisation of MedSAM_Inference.py on three 1024x1024 uint8 planes. */
    public static ImageTensor medsamTensor(byte[][] rgb1024) {
        int min = 255;
        int max = 0;
        for (byte[] p : rgb1024) {
            for (byte b : p) {
                int v = b & 0xFF;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        // np.clip(max - min, 1e-8, None): a constant image divides 0 by 1e-8
        double denominator = Math.max(max - min, 1e-8);
        int plane = SIZE * SIZE;
        float[] out = new float[3 * plane];
        float[] table = new float[256];
        for (int v = min; v <= max; v++) {
            table[v] = (float) ((double) (v - min) / denominator);
        }
        for (int c = 0; c < 3; c++) {
            byte[] p = rgb1024[c];
            for (int i = 0; i < plane; i++) {
                out[c * plane + i] = table[p[i] & 0xFF];
            }
        }
        return new ImageTensor(FloatTensor.wrap(new int[] {1, 3, SIZE, SIZE}, out));
    }

    /**
     * Segment Anything's predictor: Pillow bilinear resize so the longest side is 1024, {@code (x - mean) / std}
     * in float32, zero padding at the bottom and right.
     */
    public static ImageTensor sam(MedicalImage image, int resizedWidth, int resizedHeight) {
        byte[][] planes = planes(image);
        int plane = SIZE * SIZE;
        float[] out = new float[3 * plane]; // padding stays 0
        byte[] grey = null;
        for (int c = 0; c < 3; c++) {
            byte[] resized;
            if (planes.length == 1) {
                if (grey == null) {
                    grey = PilResize.resize(planes[0], image.width(), image.height(), resizedWidth, resizedHeight);
                }
                resized = grey;
            } else {
                resized = PilResize.resize(planes[c], image.width(), image.height(), resizedWidth, resizedHeight);
            }
            float mean = SAM_MEAN[c];
            float std = SAM_STD[c];
            for (int y = 0; y < resizedHeight; y++) {
                for (int x = 0; x < resizedWidth; x++) {
                    float v = resized[y * resizedWidth + x] & 0xFF;
                    out[c * plane + y * SIZE + x] = (v - mean) / std;
                }
            }
        }
        return new ImageTensor(FloatTensor.wrap(new int[] {1, 3, SIZE, SIZE}, out));
    }
}
