package org.trufflebpf.jit.x64;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;

/** Compiles programs to native x86-64 code ready to run. */
public final class NativeEngine {
    private static HelperTable standardHelpers;

    private NativeEngine() {
    }

    /** The standard helpers, created once per JVM (their upcall stubs live as long as the JVM). */
    public static synchronized HelperTable standardHelpers() {
        if (standardHelpers == null) {
            standardHelpers = HelperTable.standard();
        }
        return standardHelpers;
    }

    /** Checked mode with the standard helpers. */
    public static NativeProgram compile(Program program) {
        return compile(program, JitOptions.CHECKED, standardHelpers());
    }

    public static NativeProgram compile(Program program, JitOptions options, HelperTable helpers) {
        return compile(program, options, helpers, NativeMaps.NONE);
    }

    /** With the native addresses of the program's maps (prog arrays for tail calls, values for map_value). */
    public static NativeProgram compile(Program program, JitOptions options, HelperTable helpers, NativeMaps maps) {
        if (!options.checked() && !program.isVerified()) {
            // Unchecked code trusts every pointer and every call: an unverified program could crash the JVM.
            throw new BpfError(BpfError.Kind.LOAD, program.sourceName(), "unchecked native code needs a verified program");
        }
        return new NativeProgram(BpfToX86.compile(program, options, helpers, maps), helpers, maps);
    }
}
