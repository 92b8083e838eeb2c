package dev.medsam.core.checkpoint;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tensors of a checkpoint by state-dict key, in file order, with wrapper prefixes already removed
 * ({@code module.}, {@code model.}). Immutable.
 */
public final class StateDict {

    private final Map<String, TensorData> tensors;

    private StateDict(Map<String, TensorData> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * A state dict of the given tensors, keyed by their names, in list order.
     *
     * @throws IllegalArgumentException on a duplicate name
     */
    public static StateDict of(List<TensorData> tensors) {
        Map<String, TensorData> map = new LinkedHashMap<>();
        for (TensorData t : tensors) {
            if (map.putIfAbsent(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
        }
        return new StateDict(map);
    }

    /** Keys in file order. */
    public Set<String> keys() {
        return tensors.keySet();
    }

    /** All tensors in file order. */
    public Iterable<TensorData> tensors() {
        return tensors.values();
    }

    /** The tensor for {@code key}, if present. */
    public Optional<TensorData> find(String key) {
        return Optional.ofNullable(tensors.get(key));
    }

    /**
     * The tensor for {@code key}.
     *
     * @throws IllegalArgumentException naming the key if it is absent
     */
    public TensorData get(String key) {
        TensorData t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("the checkpoint has no tensor '" + key + "'");
        }
        return t;
    }

    /** Number of tensors. */
    public int size() {
        return tensors.size();
    }

    /** Number of values in all tensors (buffers included): 93,735,728 for SAM ViT-B. */
    public long parameterCount() {
        long n = 0;
        for (TensorData t : tensors.values()) {
            n += t.size();
        }
        return n;
    }

    /** The stored types that occur. */
    public Set<StoredType> storedTypes() {
        Set<StoredType> types = EnumSet.noneOf(StoredType.class);
        for (TensorData t : tensors.values()) {
            types.add(t.storedType());
        }
        return types;
    }
}
