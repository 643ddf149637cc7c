package org.trufflebpf.truffle;

import java.util.Locale;

/** Which engine runs a context's programs ({@code bpf.Engine}). */
public enum EngineKind {
    /** This language's Truffle interpreter, which Graal compiles. */
    INTERPRETER,
    /** The x86-64 backend, found as a {@link org.trufflebpf.runtime.NativeEngineProvider} service. */
    NATIVE,
    /** The host kernel through bpf(2), found as a {@link org.trufflebpf.runtime.KernelEngineProvider} service. */
    KERNEL;

    /** The name {@code bpf.Engine} takes for it. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The engine of an option name, or null. */
    public static EngineKind byName(String name) {
        for (EngineKind engine : values()) {
            if (engine.optionName().equals(name)) {
                return engine;
            }
        }
        return null;
    }
}
