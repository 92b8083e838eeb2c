package dev.medsam.core.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A least-recently-used cache that computes each missing value once even when several threads ask for it at
 * the same time (the others wait for the first). A failed computation is not cached. Thread-safe.
 *
 * @param <V> the cached values
 */
public final class EmbeddingCache<V> {

    private final int capacity;
    private final LinkedHashMap<String, CompletableFuture<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long hits;
    private long misses;

    /** @param capacity most entries kept; 0 keeps none (every request computes) */
    public EmbeddingCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("cache size must be 0 or more, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** The value for {@code key}, computed by {@code compute} if it is not cached or being computed. */
    public V get(String key, Supplier<V> compute) {
        CompletableFuture<V> future;
        boolean mine = false;
        synchronized (this) {
            future = entries.get(key);
            if (future == null) {
                misses++;
                future = new CompletableFuture<>();
                mine = true;
                if (capacity > 0) {
                    entries.put(key, future);
                    evict();
                }
            } else {
                hits++;
            }
        }
        if (mine) {
            try {
                V value = compute.get();
                future.complete(value);
                return value;
            } catch (RuntimeException | Error e) {
                synchronized (this) {
                    entries.remove(key, future);
                }
                future.completeExceptionally(e);
                throw e;
            }
        }
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private void evict() {
        Iterator<Map.Entry<String, CompletableFuture<V>>> it = entries.entrySet().iterator();
        while (entries.size() > capacity && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** Whether {@code key} is cached (or being computed). Does not count as a use. */
    public synchronized boolean contains(String key) {
        return entries.containsKey(key);
    }

    /** Entries held. */
    public synchronized int size() {
        return entries.size();
    }

    /** Requests answered from the cache. */
    public synchronized long hits() {
        return hits;
    }

    /** Requests that computed. */
    public synchronized long misses() {
        return misses;
    }

    /** Drops every entry. */
    public synchronized void clear() {
        entries.clear();
    }
}
