package dev.medsam.core.testing;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.checkpoint.SamArchitecture;
import dev.medsam.core.spi.FloatTensor;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageEncoder;
import dev.medsam.core.spi.MaskDecoder;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEncoder;
import dev.medsam.core.spi.SamModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic fake SAM for tests of everything around the network (sessions, propagation, evaluation, the
 * command line): results are predictable from the prompts alone.
 *
 * <ul>
 *   <li>The image encoder counts its calls and returns an embedding filled with a checksum of its input, so
 *       tests can tell images apart. It can be held ({@link #holdEncoder}) to test concurrency.</li>
 *   <li>{@link #predict} records every batch and draws, in the 256x256 low-resolution frame (model pixels / 4),
 *       each prompt's box grown by the margin given to the constructor, a 7x7 square around each positive point,
 *       and the maximum with a mask prompt's logits; 6 inside, -6 outside. With multimask the three candidates
 *       are the box shrunk by 4, as is, and grown by 4 low-resolution pixels, with IoUs 0.5, 0.9 and 0.7;
 *       otherwise the IoU is 0.8. A batch that mixes prompt structures is rejected, as real backends do.</li>
 * </ul>
 * The prompt and mask decoder parts are not available (sessions use {@link #predict}). After {@link #close()}
 * every call fails with an IllegalStateException. Thread-safe.
 */
public final class FakeSamModel implements SamModel {

    /** Logit inside drawn shapes; the outside is its negative. */
    private static final float INSIDE = 6f;

    /** Image encoder runs so far. */
    public final AtomicInteger encodes = new AtomicInteger();
    /** predict() calls so far (each one decoder batch). */
    public final AtomicInteger decodes = new AtomicInteger();
    /** Every batch predict() was given, in order. */
    public final List<List<ModelPrompt>> batches = Collections.synchronizedList(new ArrayList<>());
    /** When set, the encoder waits (up to 30 s) for this latch after counting a call. */
    public volatile CountDownLatch holdEncoder;
    /** Counted down when the encoder is first entered. */
    public final CountDownLatch encoderEntered = new CountDownLatch(1);

    private final int boxMargin;
    private final ModelArchitecture architecture;
    /** Model-frame pixels per low-resolution pixel: 4 for a 1024 frame, 1 for LiteMedSAM's 256. */
    private final float perLowRes;
    private volatile boolean closed;

    /** Draws boxes as they are. */
    public FakeSamModel() {
        this(0);
    }

    /**
     * Draws boxes grown by {@code boxMargin} low-resolution pixels on every side (a margin keeps masks from
     * shrinking when slice-by-slice propagation feeds each mask's box into the next prompt).
     */
    public FakeSamModel(int boxMargin) {
        this(boxMargin, SamArchitecture.VIT_B);
    }

    /** As {@link #FakeSamModel(int)}, claiming {@code architecture} (its image size sets the frame). */
    public FakeSamModel(int boxMargin, ModelArchitecture architecture) {
        if (boxMargin < 0) {
            throw new IllegalArgumentException("box margin must be 0 or more, got " + boxMargin);
        }
        this.boxMargin = boxMargin;
        this.architecture = architecture;
        this.perLowRes = architecture.imageSize() / 256f;
    }

    /** Whether {@link #close()} was called. */
    public boolean closed() {
        return closed;
    }

    @Override
    public ModelArchitecture architecture() {
        return architecture;
    }

    @Override
    public ImageEncoder imageEncoder() {
        return image -> {
            check();
            encodes.incrementAndGet();
            encoderEntered.countDown();
            CountDownLatch hold = holdEncoder;
            if (hold != null) {
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            double sum = 0;
            for (int i = 0; i < image.tensor().size(); i += 97) {
                sum += image.tensor().get(i);
            }
            float[] v = new float[256 * 64 * 64];
            Arrays.fill(v, (float) sum);
            return ImageEmbedding.of(FloatTensor.wrap(new int[] {1, 256, 64, 64}, v));
        };
    }

    @Override
    public PromptEncoder promptEncoder() {
        throw new UnsupportedOperationException("the fake model only offers predict()");
    }

    @Override
    public MaskDecoder maskDecoder() {
        throw new UnsupportedOperationException("the fake model only offers predict()");
    }

    @Override
    public MaskPrediction predict(ImageEmbedding image, List<ModelPrompt> batch, boolean multimask) {
        check();
        for (ModelPrompt p : batch) {
            if (!p.sameStructureAs(batch.get(0))) {
                throw new IllegalArgumentException("mixed prompt structures in one batch");
            }
        }
        decodes.incrementAndGet();
        batches.add(List.copyOf(batch));
        int masks = multimask ? 3 : 1;
        int plane = 256 * 256;
        float[] logits = new float[batch.size() * masks * plane];
        float[] iou = new float[batch.size() * masks];
        for (int b = 0; b < batch.size(); b++) {
            ModelPrompt p = batch.get(b);
            for (int m = 0; m < masks; m++) {
                int grow = boxMargin + (multimask ? 4 * (m - 1) : 0); // candidates: shrunk, same, grown box
                int off = (b * masks + m) * plane;
                Arrays.fill(logits, off, off + plane, -INSIDE);
                Optional<float[]> box = p.box();
                if (box.isPresent()) {
                    float[] bx = box.get();
                    fill(logits, off, bx[0] / perLowRes - grow, bx[1] / perLowRes - grow, bx[2] / perLowRes + grow,
                            bx[3] / perLowRes + grow);
                }
                float[] pts = p.points();
                int[] labels = p.labels();
                for (int i = 0; i < labels.length; i++) {
                    if (labels[i] == 1) {
                        float x = pts[2 * i] / perLowRes;
                        float y = pts[2 * i + 1] / perLowRes;
                        fill(logits, off, x - 3, y - 3, x + 3, y + 3);
                    }
                }
                if (p.mask().isPresent()) {
                    float[] dense = p.mask().get().toArray();
                    for (int i = 0; i < plane; i++) {
                        logits[off + i] = Math.max(logits[off + i], dense[i]);
                    }
                }
                iou[b * masks + m] = multimask ? new float[] {0.5f, 0.9f, 0.7f}[m] : 0.8f;
            }
        }
        return new MaskPrediction(FloatTensor.wrap(new int[] {batch.size(), masks, 256, 256}, logits),
                FloatTensor.wrap(new int[] {batch.size(), masks}, iou));
    }

    /** Sets the low-resolution pixels whose centres lie in [x0, x1] x [y0, y1] (clipped to the frame). */
    private static void fill(float[] l, int off, float x0, float y0, float x1, float y1) {
        for (int y = Math.max(0, (int) Math.ceil(y0)); y <= Math.min(255, (int) Math.floor(y1)); y++) {
            for (int x = Math.max(0, (int) Math.ceil(x0)); x <= Math.min(255, (int) Math.floor(x1)); x++) {
                l[off + y * 256 + x] = INSIDE;
            }
        }
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("model closed");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
