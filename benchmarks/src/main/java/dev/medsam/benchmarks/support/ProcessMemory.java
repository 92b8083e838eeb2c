package dev.medsam.benchmarks.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Resident memory of this process from {@code /proc/self/status} (Linux): what the operating system charges the
 * process, native TensorFlow buffers and memory-mapped checkpoint pages included, unlike JMH's {@code -prof gc}
 * which sees the Java heap only.
 */
public final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** Peak resident set size (VmHWM) in bytes, if the platform reports it. */
    public static OptionalLong peakRssBytes() {
        return field("VmHWM");
    }

    /** Current resident set size (VmRSS) in bytes, if the platform reports it. */
    public static OptionalLong rssBytes() {
        return field("VmRSS");
    }

    /** One line for a benchmark's log: peak and current RSS in MiB, or why they are unknown. */
    public static String describe(String label) {
        OptionalLong peak = peakRssBytes();
        OptionalLong now = rssBytes();
        if (peak.isEmpty() || now.isEmpty()) {
            return label + ": resident memory unknown (no " + STATUS + " on this platform)";
        }
        return String.format("%s: peak RSS (VmHWM) %.0f MiB, current RSS %.0f MiB", label, mib(peak.getAsLong()),
                mib(now.getAsLong()));
    }

    public static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static OptionalLong field(String key) {
        if (!Files.isReadable(STATUS)) {
            return OptionalLong.empty();
        }
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key + ":")) {
                    // "VmHWM:   123456 kB"
                    String[] parts = line.substring(key.length() + 1).trim().split("\\s+");
                    long value = Long.parseLong(parts[0]);
                    if (parts.length < 2 || !parts[1].equals("kB")) {
                        throw new IllegalStateException(STATUS + ": unexpected unit in '" + line + "'");
                    }
                    return OptionalLong.of(value * 1024);
                }
            }
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATUS, e);
        }
    }
}
