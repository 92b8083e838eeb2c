package dev.medsam.core.testing;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageEncoder;
import dev.medsam.core.spi.MaskDecoder;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEncoder;
import dev.medsam.core.spi.SamModel;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real model (or {@link FakeSamModel}) and counts image-encoder runs, the expensive step that the
 * session's and the server's caches must not repeat, and {@link #predict} calls (one decoder batch each).
 * Everything else is passed to the wrapped model unchanged; {@link #close()} closes it. As thread-safe as the
 * wrapped model.
 */
public final class CountingModel implements SamModel {

    private final SamModel delegate;
    /** Image encoder runs so far. */
    public final AtomicInteger encodes = new AtomicInteger();
    /** {@link #predict} calls so far. */
    public final AtomicInteger predicts = new AtomicInteger();

    /** Counts the calls made to {@code delegate}, which it owns from now on. */
    public CountingModel(SamModel delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped model, to run it without counting (closing it is {@link #close()}'s job). */
    public SamModel delegate() {
        return delegate;
    }

    @Override
    public ModelArchitecture architecture() {
        return delegate.architecture();
    }

    @Override
    public ImageEncoder imageEncoder() {
        ImageEncoder inner = delegate.imageEncoder();
        return image -> {
            encodes.incrementAndGet();
            return inner.encode(image);
        };
    }

    @Override
    public PromptEncoder promptEncoder() {
        return delegate.promptEncoder();
    }

    @Override
    public MaskDecoder maskDecoder() {
        return delegate.maskDecoder();
    }

    @Override
    public MaskPrediction predict(ImageEmbedding image, List<ModelPrompt> batch, boolean multimask) {
        predicts.incrementAndGet();
        return delegate.predict(image, batch, multimask);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
