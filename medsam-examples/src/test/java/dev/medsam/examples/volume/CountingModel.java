package dev.medsam.examples.volume;

import dev.medsam.core.checkpoint.ModelArchitecture;
import dev.medsam.core.spi.ImageEmbedding;
import dev.medsam.core.spi.ImageEncoder;
import dev.medsam.core.spi.MaskDecoder;
import dev.medsam.core.spi.MaskPrediction;
import dev.medsam.core.spi.ModelPrompt;
import dev.medsam.core.spi.PromptEncoder;
import dev.medsam.core.spi.SamModel;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps a real model and counts image-encoder runs (the expensive step that caching must avoid repeating). */
public final class CountingModel implements SamModel {

    private final SamModel delegate;
    public final AtomicInteger encodes = new AtomicInteger();
    public final AtomicInteger predicts = new AtomicInteger();

    public CountingModel(SamModel delegate) {
        this.delegate = delegate;
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
