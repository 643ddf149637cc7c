package org.trufflebpf.runtime;

import java.util.Locale;

/** How the tail-call counter travels (spec/x64-jit.md §8.4). Both engines implement both identically. */
public enum TailCallAbi {
    /**
     * The seed commit's ABI: each frame holds its own counter; a bpf-to-bpf call passes a copy to the callee
     * and a tail call passes it on incremented. The counter is incremented before the empty-slot check.
     */
    COUNTER_BY_VALUE,
    /** One counter per run, shared by every frame; incremented only when a tail call really happens. */
    SHARED;

    /** The name {@code bpf.TailCallAbi} takes for it. */
    public String optionName() {
        return this == SHARED ? "shared" : "counter-by-value";
    }

    public static TailCallAbi byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "counter_by_value", "by_value", "value", "seed" -> COUNTER_BY_VALUE;
            case "shared", "shared_counter", "pointer" -> SHARED;
            default -> null;
        };
    }
}
