package dev.medsam.core.internal;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.MaskLogits;
import dev.medsam.core.MaskPrompt;
import dev.medsam.core.Point;
import dev.medsam.core.PointLabel;
import dev.medsam.core.ProbabilityMask;
import dev.medsam.core.Prompt;
import dev.medsam.core.Prompts;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.core.pipeline.internal.Bilinear;
import dev.medsam.core.pipeline.internal.LiteMedSamPreprocess;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageTensor;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The geometry between one image of {@code width x height} pixels and the network's square frame (1024x1024, or
 * 256x256 for LiteMedSAM), for one {@link Pipeline}: prompts forward, boxes and points back, and low-resolution
 * logits to masks of the image's size.
 *
 * <h2>Coordinates</h2>
 * Original coordinates are pixels of the image: x along columns, y along rows, pixel centres at integers, the
 * image covering {@code [0, width] x [0, height]} for prompts. Frame coordinates are the network's:
 * <ul>
 *   <li>{@link Pipeline#MEDSAM}: {@code x' = x / width * 1024}, {@code y' = y / height * 1024} (each axis on its
 *       own; computed in double, rounded to float32 as the reference does);</li>
 *   <li>{@link Pipeline#SAM}: {@code x' = x * (newWidth / width)}, {@code y' = y * (newHeight / height)} with
 *       {@code new = int(side * 1024 / longestSide + 0.5)}, SAM's {@code ResizeLongestSide}.</li>
 *   <li>{@link Pipeline#LITE_MEDSAM}: box corners {@code x' = int(x * (256 / longestSide))} (truncated, as
 *       CVPR24_LiteMedSAM_infer.py's {@code resize_box_to_256}); points, which the reference does not take,
 *       {@code x' = x * (256 / longestSide)} without truncation; the image fills
 *       {@code int(side * 256 / longestSide + 0.5)} pixels of the frame, padded at the bottom and right.</li>
 * </ul>
 * Boxes reaching outside the image are clipped to it, with a warning; a box that lies wholly outside is an
 * error. Immutable and thread-safe.
 */
public final class ModelFrame {

    private static final System.Logger LOG = System.getLogger(ModelFrame.class.getName());
    private static final int SIZE = ImageTensor.SIZE;
    private static final int LITE_SIZE = LiteMedSamPreprocess.SIZE;
    private static final int LOW_RES = MaskPrediction.LOW_RES;

    private final Pipeline pipeline;
    private final int width;
    private final int height;
    private final int resizedWidth;
    private final int resizedHeight;

    private ModelFrame(Pipeline pipeline, int width, int height, int resizedWidth, int resizedHeight) {
        this.pipeline = pipeline;
        this.width = width;
        this.height = height;
        this.resizedWidth = resizedWidth;
        this.resizedHeight = resizedHeight;
    }

    /**
     * The frame of {@code pipeline} for an image of {@code width x height} pixels.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public static ModelFrame of(Pipeline pipeline, int width, int height) {
        Objects.requireNonNull(pipeline, "pipeline");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pipeline == Pipeline.MEDSAM) {
            return new ModelFrame(pipeline, width, height, SIZE, SIZE);
        }
        if (pipeline == Pipeline.LITE_MEDSAM) {
            int[] hw = LiteMedSamPreprocess.resizedSize(height, width);
            if (hw[0] == 0 || hw[1] == 0) {
                // cv2.resize refuses a zero size too; say which image and why
                throw new IllegalArgumentException("a " + width + "x" + height + " image is too thin for LiteMedSAM:"
                        + " its short side rounds to 0 pixels when the long side becomes 256");
            }
            return new ModelFrame(pipeline, width, height, hw[1], hw[0]);
        }
        // SAM's get_preprocess_shape: scale = 1024 * 1.0 / max(h, w); new = int(old * scale + 0.5)
        double scale = SIZE * 1.0 / Math.max(width, height);
        // beyond 2048:1 the formula gives 0 (and SAM itself fails there): keep at least one pixel
        int newW = Math.max(1, (int) (width * scale + 0.5));
        int newH = Math.max(1, (int) (height * scale + 0.5));
        return new ModelFrame(pipeline, width, height, newW, newH);
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** Image width in pixels. */
    public int width() {
        return width;
    }

    /** Image height in pixels. */
    public int height() {
        return height;
    }

    /** Side of the square frame: 1024, or 256 for LiteMedSAM. */
    public int size() {
        return pipeline.inputSize();
    }

    /**
     * Width of the image inside the frame: 1024 for MedSAM, the longest-side resize for SAM (of 1024) and
     * LiteMedSAM (of 256).
     */
    public int resizedWidth() {
        return resizedWidth;
    }

    /** Height of the image inside the frame. */
    public int resizedHeight() {
        return resizedHeight;
    }

    private double scaleX() {
        return switch (pipeline) {
            case MEDSAM -> 0;
            case SAM -> (double) resizedWidth / width;
            case LITE_MEDSAM -> liteRatio();
        };
    }

    private double scaleY() {
        return switch (pipeline) {
            case MEDSAM -> 0;
            case SAM -> (double) resizedHeight / height;
            case LITE_MEDSAM -> liteRatio();
        };
    }

    /** LiteMedSAM's one factor for both axes, {@code 256 / max(H, W)} in double as the reference computes it. */
    private double liteRatio() {
        return LITE_SIZE / (double) Math.max(width, height);
    }

    /** A box corner coordinate in the frame: LiteMedSAM truncates ({@code int(v * ratio)}), the others do not. */
    private float boxX(double x) {
        return pipeline == Pipeline.LITE_MEDSAM ? (long) (x * liteRatio()) : frameX(x);
    }

    private float boxY(double y) {
        return pipeline == Pipeline.LITE_MEDSAM ? (long) (y * liteRatio()) : frameY(y);
    }

    /** An x coordinate in the frame, as float32 like the reference's tensors. */
    private float frameX(double x) {
        return pipeline == Pipeline.MEDSAM ? (float) (x / width * SIZE) : (float) (x * scaleX());
    }

    private float frameY(double y) {
        return pipeline == Pipeline.MEDSAM ? (float) (y / height * SIZE) : (float) (y * scaleY());
    }

    private double originalX(double xFrame) {
        return pipeline == Pipeline.MEDSAM ? xFrame / SIZE * width : xFrame / scaleX();
    }

    private double originalY(double yFrame) {
        return pipeline == Pipeline.MEDSAM ? yFrame / SIZE * height : yFrame / scaleY();
    }

    /**
     * One object's prompt in the frame: box clipped to the image and mapped, points mapped (and clipped), the
     * mask prompt passed through.
     *
     * @throws IllegalArgumentException if the box lies wholly outside the image
     */
    public ModelPrompt toModel(Prompts prompts) {
        Objects.requireNonNull(prompts, "prompts");
        List<Point> points = prompts.points();
        float[] xy = new float[2 * points.size()];
        int[] labels = new int[points.size()];
        for (int i = 0; i < points.size(); i++) {
            Point p = clip(points.get(i), i);
            xy[2 * i] = frameX(p.x());
            xy[2 * i + 1] = frameY(p.y());
            labels[i] = p.label().samLabel();
        }
        ModelPrompt.Builder model = ModelPrompt.builder().points(xy, labels);
        prompts.box().ifPresent(b -> model.box(toModelCorners(b)));
        prompts.mask().ifPresent(m -> model.mask(FloatTensor.wrap(new int[] {m.logits().height(), m.logits().width()},
                m.logits().toArray())));
        return model.build();
    }

    /**
     * The corners of a box in the frame, clipped first. LiteMedSAM's truncation may collapse a box narrower than
     * one frame pixel to zero width; the reference feeds such a box to the model as it is, and so does this.
     */
    private float[] toModelCorners(Box box) {
        Box clipped = clip(box);
        return new float[] {boxX(clipped.x0()), boxY(clipped.y0()), boxX(clipped.x1()), boxY(clipped.y1())};
    }

    /**
     * A box in original pixels to the frame (clipped to the image first, with a warning when it reached
     * outside). The corners are float32 values, widened.
     *
     * @throws IllegalArgumentException if the box lies wholly outside the image, or (LiteMedSAM) is narrower than
     *                                  one pixel of the 256 frame, so that its truncated corners coincide
     */
    public Box toModel(Box box) {
        float[] c = toModelCorners(box);
        return new Box(c[0], c[1], c[2], c[3]);
    }

    /** A box in frame coordinates back to original pixels. */
    public Box toOriginal(Box frameBox) {
        Objects.requireNonNull(frameBox, "box");
        return new Box(originalX(frameBox.x0()), originalY(frameBox.y0()), originalX(frameBox.x1()),
                originalY(frameBox.y1()));
    }

    /** A point in original pixels to the frame (float32 values, widened); clipped to the image with a warning. */
    public Point toModel(Point point) {
        Point p = clip(point, 0);
        return new Point(frameX(p.x()), frameY(p.y()), p.label());
    }

    /** A point in frame coordinates back to original pixels. */
    public Point toOriginal(Point framePoint) {
        Objects.requireNonNull(framePoint, "point");
        return new Point(originalX(framePoint.x()), originalY(framePoint.y()), framePoint.label());
    }

    /**
     * The box clipped to {@code [0, width] x [0, height]}; logs a warning when that changed it.
     *
     * @throws IllegalArgumentException naming the box and the image size if nothing of it is inside
     */
    public Box clip(Box box) {
        Objects.requireNonNull(box, "box");
        double x0 = clamp(box.x0(), width);
        double y0 = clamp(box.y0(), height);
        double x1 = clamp(box.x1(), width);
        double y1 = clamp(box.y1(), height);
        if (x0 == box.x0() && y0 == box.y0() && x1 == box.x1() && y1 == box.y1()) {
            return box;
        }
        if (!(x1 > x0) || !(y1 > y0)) {
            throw new IllegalArgumentException(box + " lies outside the " + width + "x" + height + " image");
        }
        Box clipped = new Box(x0, y0, x1, y1);
        LOG.log(System.Logger.Level.WARNING, "{0} reaches outside the {1}x{2} image; clipped to {3}", box,
                width, height, clipped);
        return clipped;
    }

    private Point clip(Point p, int index) {
        Objects.requireNonNull(p, "point " + index);
        double x = clamp(p.x(), width);
        double y = clamp(p.y(), height);
        if (x == p.x() && y == p.y()) {
            return p;
        }
        Point clipped = new Point(x, y, p.label());
        LOG.log(System.Logger.Level.WARNING, "point {0} {1} lies outside the {2}x{3} image; clipped to ({4}, {5})",
                index, p, width, height, x, y);
        return clipped;
    }

    private static double clamp(double v, int max) {
        return Math.min(Math.max(v, 0), max);
    }

    /**
     * One object's prompt in original pixels from a prompt in the frame (for results of prompts that were built in
     * the frame, such as LiteMedSAM's propagated 3D boxes): box and points mapped back, the mask prompt passed.
     */
    public Prompts toOriginal(ModelPrompt prompt) {
        Objects.requireNonNull(prompt, "prompt");
        List<Prompt> parts = new ArrayList<>();
        prompt.box().ifPresent(b -> parts.add(toOriginal(new Box(b[0], b[1], b[2], b[3]))));
        float[] xy = prompt.points();
        int[] labels = prompt.labels();
        for (int i = 0; i < labels.length; i++) {
            parts.add(toOriginal(new Point(xy[2 * i], xy[2 * i + 1], PointLabel.fromSamLabel(labels[i]))));
        }
        prompt.mask().ifPresent(m -> parts.add(new MaskPrompt(MaskLogits.of(LOW_RES, LOW_RES,
                m.toArray()))));
        return Prompts.of(parts);
    }

    /** The low-resolution logits of mask {@code mask} of prompt {@code prompt}, as the application sees them. */
    public static MaskLogits lowResLogits(MaskPrediction prediction, int prompt, int mask) {
        return MaskLogits.of(LOW_RES, LOW_RES, prediction.logits(prompt, mask).toArray());
    }

    /** {@link #postprocess(MaskLogits)} of mask {@code mask} of prompt {@code prompt}. */
    public OriginalSizeMasks postprocess(MaskPrediction prediction, int prompt, int mask) {
        return postprocess(lowResLogits(prediction, prompt, mask));
    }

    /**
     * Brings one 256x256 low-resolution logit map back to the image's size, as the pipeline does:
     * MedSAM resizes the sigmoid straight to the image size and keeps probabilities above 0.5; SAM resizes the
     * logits to 1024, crops the unpadded part, resizes to the image size and keeps logits above 0; LiteMedSAM crops
     * the 256x256 logits to the resized image, resizes them to the image size, and keeps sigmoids above 0.5.
     *
     * @throws IllegalArgumentException if the logits are not 256x256
     */
    public OriginalSizeMasks postprocess(MaskLogits lowRes) {
        Objects.requireNonNull(lowRes, "logits");
        if (lowRes.width() != LOW_RES || lowRes.height() != LOW_RES) {
            throw new IllegalArgumentException("low-resolution logits are " + LOW_RES + "x" + LOW_RES + ", got "
                    + lowRes);
        }
        float[] logits = lowRes.toArray();
        int n = width * height;
        float[] prob;
        byte[] bits = new byte[n];
        if (pipeline == Pipeline.MEDSAM) {
            float[] p = new float[logits.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = Bilinear.sigmoid(logits[i]);
            }
            prob = Bilinear.resize(p, LOW_RES, LOW_RES, width, height);
            for (int i = 0; i < n; i++) {
                prob[i] = Math.min(Math.max(prob[i], 0f), 1f);
                bits[i] = prob[i] > 0.5f ? (byte) 1 : 0;
            }
        } else if (pipeline == Pipeline.LITE_MEDSAM) {
            prob = LiteMedSamPreprocess.probabilities(logits, height, width);
            for (int i = 0; i < n; i++) {
                bits[i] = prob[i] > 0.5f ? (byte) 1 : 0;
            }
        } else {
            float[] full = Bilinear.resize(logits, LOW_RES, LOW_RES, SIZE, SIZE);
            float[] cropped = new float[resizedWidth * resizedHeight];
            for (int y = 0; y < resizedHeight; y++) {
                System.arraycopy(full, y * SIZE, cropped, y * resizedWidth, resizedWidth);
            }
            float[] original = Bilinear.resize(cropped, resizedWidth, resizedHeight, width, height);
            prob = new float[n];
            for (int i = 0; i < n; i++) {
                bits[i] = original[i] > 0f ? (byte) 1 : 0;
                prob[i] = Bilinear.sigmoid(original[i]);
            }
        }
        return new OriginalSizeMasks(ProbabilityMask.of(width, height, prob), BinaryMask.of(width, height, bits));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelFrame f && f.pipeline == pipeline && f.width == width && f.height == height;
    }

    @Override
    public int hashCode() {
        return Objects.hash(pipeline, width, height);
    }

    @Override
    public String toString() {
        return "ModelFrame[" + pipeline + ", " + width + "x" + height + " -> " + resizedWidth + "x" + resizedHeight
                + " of " + size() + "x" + size() + "]";
    }
}
