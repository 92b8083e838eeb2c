package dev.medsam.core.spi;

import dev.medsam.core.spi.Device;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Immutable settings for opening a backend. Build with {@link #builder()}.
 *
 * <pre>{@code
 * BackendOptions options = BackendOptions.builder().device(Device.CPU).intraOpThreads(2).build();
 * }</pre>
 */
public final class BackendOptions {

    private final Device device;
    private final int intraOpThreads;
    private final int interOpThreads;
    private final Map<String, String> extras;

    private BackendOptions(Builder b) {
        this.device = b.device;
        this.intraOpThreads = b.intraOpThreads;
        this.interOpThreads = b.interOpThreads;
        this.extras = Map.copyOf(b.extras);
    }

    /** Defaults: CPU, threads chosen by the backend. */
    public static BackendOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder().device(device).intraOpThreads(intraOpThreads).interOpThreads(interOpThreads);
        b.extras.putAll(extras);
        return b;
    }

    public Device device() {
        return device;
    }

    /** Threads inside one operation (a matrix multiply); 0 lets the backend choose (all cores). */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** Operations run side by side; 0 lets the backend choose. */
    public int interOpThreads() {
        return interOpThreads;
    }

    /** A backend-specific setting (for example {@code precision=bf16}), if set. */
    public Optional<String> extra(String key) {
        return Optional.ofNullable(extras.get(key));
    }

    /** All backend-specific settings. */
    public Map<String, String> extras() {
        return extras;
    }

    @Override
    public String toString() {
        return "BackendOptions[device=" + device + ", intraOpThreads=" + intraOpThreads + ", interOpThreads="
                + interOpThreads + (extras.isEmpty() ? "" : ", " + new TreeMap<>(extras)) + "]";
    }

    /** Builder for {@link BackendOptions}. */
    public static final class Builder {
        private Device device = Device.CPU;
        private int intraOpThreads;
        private int interOpThreads;
        private final Map<String, String> extras = new TreeMap<>();

        private Builder() {
        }

        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** @throws IllegalArgumentException if negative */
        public Builder intraOpThreads(int threads) {
            this.intraOpThreads = requireThreads("intra-op threads", threads);
            return this;
        }

        /** @throws IllegalArgumentException if negative */
        public Builder interOpThreads(int threads) {
            this.interOpThreads = requireThreads("inter-op threads", threads);
            return this;
        }

        /** Sets a backend-specific option. */
        public Builder extra(String key, String value) {
            extras.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public BackendOptions build() {
            return new BackendOptions(this);
        }

        private static int requireThreads(String what, int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException(what + " must be 0 (backend default) or positive, got " + threads);
            }
            return threads;
        }
    }
}
