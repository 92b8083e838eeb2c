package dev.medsam.core.testing;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * A jqwik hook that skips a property when the shared fixtures are absent. A JUnit assumption inside a property
 * would only reject each try (and jqwik then fails the property as exhausted); use this instead:
 * {@code @AddLifecycleHook(RequiresSharedFixtures.class)}.
 */
public final class RequiresSharedFixtures implements SkipExecutionHook {

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        // When fixtures are required, run the property: its Fixtures.require(...) then fails with the reason.
        return Fixtures.available() || Fixtures.required() ? SkipResult.doNotSkip()
                : SkipResult.skip("shared fixtures not found at " + Fixtures.sharedDir()
                        + " (set -Dmedsam.shared or MEDSAM_SHARED)");
    }
}
