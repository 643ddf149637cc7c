package org.trufflebpf.runtime.maps;

/**
 * A program as a prog array slot holds it. Each engine puts its own kind of program here; the interpreter
 * calls its own, and native code jumps to {@link #nativeEntry()}.
 */
public interface LoadedProgram {
    String name();

    /** Address of the native code's entry, or 0 when the program has no native code. */
    default long nativeEntry() {
        return 0;
    }
}
