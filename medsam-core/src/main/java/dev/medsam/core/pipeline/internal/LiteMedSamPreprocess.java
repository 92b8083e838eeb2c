package dev.medsam.core.pipeline.internal;

import dev.medsam.core.spi.FloatTensor;

/**
 * LiteMedSAM's preprocessing and postprocessing, as the CVPR 2024 reference (CVPR24_LiteMedSAM_infer.py)
 * does them: the longest side resized to 256 with OpenCV's INTER_AREA ({@link AreaResize}; new size
 * {@code int(x * (256 / max(H, W)) + 0.5)}), min-max of the resized image to [0, 1], zero padding at the bottom
 * and right to 256x256; boxes mapped with {@code int(v * 256 / max(H, W))} per coordinate; the decoder's
 * 256x256 logits cropped to the resized size, resized bilinearly (align_corners=False) to H x W, sigmoid, and
 * thresholded at 0.5. Stateless and thread-safe.
 */
public final class LiteMedSamPreprocess {

    /** Side of LiteMedSAM's input frame. */
    public static final int SIZE = 256;

    private LiteMedSamPreprocess() {
    }

    /** The resized {height, width} of an image of {@code height x width}: the longest side becomes 256. */
    public static int[] resizedSize(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        double scale = SIZE * 1.0 / Math.max(height, width);
        return new int[] {(int) (height * scale + 0.5), (int) (width * scale + 0.5)};
    }

    /**
     * The network input (1, 3, 256, 256) of an 8-bit image.
     *
     * @param pixels   {@code height * width * channels} samples, row-major, channels interleaved
     * @param channels 1 (grey, repeated to three channels as the reference's npz loader does) or 3 (RGB)
     * @throws IllegalArgumentException if the sizes do not match or {@code channels} is not 1 or 3
     */
    public static FloatTensor input(byte[] pixels, int width, int height, int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("LiteMedSAM takes grey or RGB images, got " + channels + " channels");
        }
        int[] size = resizedSize(height, width);
        int nh = size[0];
        int nw = size[1];
        if (nh == 0 || nw == 0) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image is too thin for LiteMedSAM: its"
                    + " short side rounds to 0 pixels when the long side becomes 256");
        }
        // Resizing each channel alone equals resizing the repeated grey image: OpenCV treats channels separately.
        byte[] resized = AreaResize.resize(pixels, width, height, channels, nw, nh);
        int min = 255;
        int max = 0;
        for (byte b : resized) {
            int v = b & 0xFF;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        // numpy: (uint8 - min) / clip(max - min, 1e-8) in float64, then float32 in torch.tensor(...).float()
        double range = Math.max(max - min, 1e-8);
        float[] out = new float[3 * SIZE * SIZE];
        for (int y = 0; y < nh; y++) {
            for (int x = 0; x < nw; x++) {
                for (int c = 0; c < 3; c++) {
                    int v = resized[(y * nw + x) * channels + (channels == 1 ? 0 : c)] & 0xFF;
                    out[c * SIZE * SIZE + y * SIZE + x] = (float) ((v - min) / range);
                }
            }
        }
        return FloatTensor.wrap(new int[] {1, 3, SIZE, SIZE}, out);
    }

    /** A box (x0, y0, x1, y1) in original pixels mapped to the 256 frame: {@code int(v * (256 / max(H, W)))}. */
    public static float[] box256(double[] box, int height, int width) {
        if (box.length != 4) {
            throw new IllegalArgumentException("a box has 4 values (x0, y0, x1, y1), got " + box.length);
        }
        double ratio = SIZE / (double) Math.max(height, width);
        float[] out = new float[4];
        for (int i = 0; i < 4; i++) {
            if (!Double.isFinite(box[i])) {
                throw new IllegalArgumentException("box value " + i + " is " + box[i]);
            }
            out[i] = (long) (box[i] * ratio); // Python's int(): towards zero
        }
        return out;
    }

    /**
     * The probability map (H x W, row-major) of one 256x256 logit plane: cropped to the resized size, bilinear
     * (align_corners=False) to the original size, sigmoid.
     */
    public static float[] probabilities(float[] logits256, int height, int width) {
        float[] prob = logits(logits256, height, width);
        for (int i = 0; i < prob.length; i++) {
            prob[i] = Bilinear.sigmoid(prob[i]);
        }
        return prob;
    }

    /**
     * The binary mask (H x W, row-major, 0 or 1) of one 256x256 logit plane: exactly {@code probabilities(..) >
     * 0.5}, without computing a sigmoid per pixel. {@link Bilinear#sigmoid} never decreases as its argument grows,
     * so its value is above 0.5 exactly for the logits at or above one float, {@link #MASK_THRESHOLD}, found once.
     */
    public static byte[] mask(float[] logits256, int height, int width) {
        float[] logits = logits(logits256, height, width);
        byte[] mask = new byte[logits.length];
        for (int i = 0; i < logits.length; i++) {
            mask[i] = logits[i] >= MASK_THRESHOLD ? (byte) 1 : 0; // NaN: 0, as sigmoid(NaN) > 0.5 is false
        }
        return mask;
    }

    /** The smallest float whose {@link Bilinear#sigmoid} is above 0.5 (about 6e-8: sigmoid(0) is 0.5). */
    static final float MASK_THRESHOLD = smallestLogitAboveHalf();

    private static float smallestLogitAboveHalf() {
        // positive floats sort like their bit patterns; sigmoid(Float.MIN_VALUE) is 0.5, sigmoid(1) is not
        int lo = Float.floatToRawIntBits(Float.MIN_VALUE); // sigmoid(lo) <= 0.5
        int hi = Float.floatToRawIntBits(1f); // sigmoid(hi) > 0.5
        while (hi - lo > 1) {
            int mid = lo + (hi - lo) / 2;
            if (Bilinear.sigmoid(Float.intBitsToFloat(mid)) > 0.5f) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return Float.intBitsToFloat(hi);
    }

    /** One 256x256 logit plane cropped to the resized size and resized bilinearly to {@code height x width}. */
    private static float[] logits(float[] logits256, int height, int width) {
        if (logits256.length != SIZE * SIZE) {
            throw new IllegalArgumentException("expected 256x256 logits, got " + logits256.length + " values");
        }
        int[] size = resizedSize(height, width);
        // the crop is the top-left nw x nh of the 256-wide plane: read in place
        return Bilinear.resize(logits256, SIZE, size[1], size[0], width, height);
    }
}
