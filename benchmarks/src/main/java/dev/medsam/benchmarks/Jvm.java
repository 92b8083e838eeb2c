package dev.medsam.benchmarks;

/** JVM options shared by every benchmark fork (JMH annotations need compile-time constants). */
final class Jvm {

    /**
     * Heap of each fork. Generating the ViT-B formula weights and a ViT-B checkpoint file needs about 2 GB for a
     * moment; a fixed limit keeps forks comparable across machines with different RAM (the default would be a
     * quarter of it).
     */
    static final String HEAP = "-Xmx3g";

    private Jvm() {
    }
}
