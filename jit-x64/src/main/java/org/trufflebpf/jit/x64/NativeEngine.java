package org.trufflebpf.jit.x64;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.maps.MapSet;

/** Compiles programs to native x86-64 code over the shared runtime's maps, ready to run in a {@code RunState}. */
public final class NativeEngine {
    private NativeEngine() {
    }

    /**
     * Compiles and places a program whose lddw map references resolve against {@code maps}, in their context
     * ({@link MapSet#runtime()}); from now on a slot change in any of their prog arrays reaches the program's
     * direct tail calls.
     */
    public static NativeProgram compile(Program program, JitOptions options, MapSet maps) {
        if (!options.checked() && !program.isVerified()) {
            // Unchecked code trusts every pointer and every call: an unverified program could crash the JVM.
            throw new BpfError(BpfError.Kind.LOAD, program.sourceName(), "unchecked native code needs a verified program");
        }
        return new NativeProgram(BpfToX86.compile(program, options, maps), maps);
    }
}
