package dev.medsam.core.spi;

/** Where a backend runs the network. */
public enum Device {
    /** The CPU. */
    CPU,
    /** The first GPU; opening fails if there is none. */
    GPU,
    /** The first GPU if one is usable, else the CPU (with one warning saying so). */
    AUTO
}
