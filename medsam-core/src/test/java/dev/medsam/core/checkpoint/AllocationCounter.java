package dev.medsam.core.checkpoint;

import java.lang.reflect.Method;

/**
 * HotSpot's per-thread allocation counter (com.sun.management.ThreadMXBean#getThreadAllocatedBytes). Looked up
 * reflectively: the tests are compiled inside core's module, which does not (and should not) read
 * java.management; they run on the class path, where it is visible.
 */
final class AllocationCounter {

    private static final Object BEAN;
    private static final Method ALLOCATED;
    private static final Method SUPPORTED;

    static {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            BEAN = factory.getMethod("getThreadMXBean").invoke(null);
            Class<?> bean = Class.forName("com.sun.management.ThreadMXBean");
            ALLOCATED = bean.getMethod("getThreadAllocatedBytes", long.class);
            SUPPORTED = bean.getMethod("isThreadAllocatedMemoryEnabled");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private AllocationCounter() {
    }

    /** Whether the JVM counts allocations per thread. */
    static boolean enabled() {
        try {
            return (Boolean) SUPPORTED.invoke(BEAN);
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** Bytes allocated by the current thread so far (garbage included). */
    static long currentThread() {
        try {
            return (Long) ALLOCATED.invoke(BEAN, Thread.currentThread().getId());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
