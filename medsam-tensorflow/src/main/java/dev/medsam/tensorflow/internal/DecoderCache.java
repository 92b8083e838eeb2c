package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.FloatTensor;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder's per-image side (embedding tokens, source tokens with the no-mask prompt and the first layer's
 * image projections) as native tensors, for the last few images, keyed by {@code ImageEmbedding.id()}. An entry
 * also remembers the embedding's tensor object, so an embedding that reuses an id with other values is never
 * served stale data.
 *
 * <p>Thread-safe. Entries are reference counted: an evicted entry's native tensors are closed when the last
 * call using it releases it.
 */
final class DecoderCache implements AutoCloseable {

    /** Native tensors of one image's decoder side. */
    static final class Entry {
        final FloatTensor embedding;
        final TFloat32 tokens;
        final TFloat32 src;
        final TFloat32 k0;
        final TFloat32 v0;
        final TFloat32 q0;
        private int users;
        private boolean retired;

        Entry(FloatTensor embedding, TFloat32 tokens, TFloat32 src, TFloat32 k0, TFloat32 v0, TFloat32 q0) {
            this.embedding = embedding;
            this.tokens = tokens;
            this.src = src;
            this.k0 = k0;
            this.v0 = v0;
            this.q0 = q0;
        }

        void closeTensors() {
            tokens.close();
            src.close();
            k0.close();
            v0.close();
            q0.close();
        }

        long bytes() {
            return tokens.numBytes() + src.numBytes() + k0.numBytes() + v0.numBytes() + q0.numBytes();
        }
    }

    private final int capacity;
    private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    DecoderCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("decoder cache capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** The entry for {@code id} made from {@code embedding}, acquired (release it), or null if absent. */
    synchronized Entry acquire(long id, FloatTensor embedding) {
        Entry e = entries.get(id);
        if (e == null || e.embedding != embedding) {
            return null;
        }
        e.users++;
        return e;
    }

    /**
     * Stores {@code entry} for {@code id}, replacing and retiring any older entry, and returns it acquired when
     * {@code acquire} is set. When the cache is closed, the entry is closed at once and null returned.
     */
    synchronized Entry put(long id, Entry entry, boolean acquire) {
        if (closed) {
            entry.closeTensors();
            return null;
        }
        Entry old = entries.put(id, entry);
        if (old != null && old != entry) {
            retire(old);
        }
        if (acquire) {
            entry.users++;
        }
        Iterator<Map.Entry<Long, Entry>> it = entries.entrySet().iterator();
        while (entries.size() > capacity && it.hasNext()) {
            Entry eldest = it.next().getValue();
            it.remove();
            retire(eldest);
        }
        return entry;
    }

    synchronized void release(Entry entry) {
        entry.users--;
        if (entry.users == 0 && entry.retired) {
            entry.closeTensors();
        }
    }

    private void retire(Entry e) {
        e.retired = true;
        if (e.users == 0) {
            e.closeTensors();
        }
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized long bytes() {
        long n = 0;
        for (Entry e : entries.values()) {
            n += e.bytes();
        }
        return n;
    }

    /** Closes every entry; entries still in use close when released. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        List<Entry> all = new ArrayList<>(entries.values());
        entries.clear();
        all.forEach(this::retire);
    }
}
