package org.trufflebpf.tests;

import java.util.Map;

/**
 * The one place where the kernel engine may differ from ours by design: (file name, program) → why. A listed
 * program is still loaded and run on all three engines; only the comparison of its results is skipped.
 */
final class KernelDifferences {
    private KernelDifferences() {
    }

    private static final Map<String, String> BY_DESIGN = Map.of();

    /** Why {@code program} of {@code file} may give other results in the kernel, or null when it must not. */
    static String reason(String file, String program) {
        return BY_DESIGN.get(file + ":" + program);
    }
}
