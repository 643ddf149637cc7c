package org.trufflebpf.jit.x64;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;

import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.RunOptions;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * Runs native programs as the {@code bpf} language does through {@link NativeEngineService}: each run inside a
 * {@link RunState} of the shared runtime, entered on this thread, with the runtime's maps, helpers and prog
 * arrays. Nothing here stands in for the runtime; it only builds its objects.
 */
final class SharedRuntime {
    private SharedRuntime() {
    }

    /** Checked code over no maps, for the default tail-call ABI. */
    static NativeProgram compile(Program program) {
        return NativeEngine.compile(program, JitOptions.CHECKED, MapSet.empty());
    }

    /** The default options with another budget and tail-call ABI. */
    static RunOptions options(long instructionLimit, TailCallAbi abi) {
        RunOptions defaults = RunOptions.defaults();
        return new RunOptions(instructionLimit, abi, defaults.seed(), defaults.cpus(), defaults.cpu());
    }

    /** A run's state with the default options over {@code maps}; trace_printk output is dropped. */
    static RunState state(MapSet maps) {
        return state(RunOptions.defaults(), maps);
    }

    static RunState state(RunOptions options, MapSet maps) {
        return new RunState(options, new PrintStream(OutputStream.nullOutputStream()), maps);
    }

    /**
     * One run with the default options over no maps: r1 = the memory's address and r2 = its length (both 0 for
     * {@link MemorySegment#NULL}); the memory is a region of the run, writable unless the segment is read-only.
     */
    static long run(NativeProgram program, MemorySegment memory) {
        return run(program, MapSet.empty(), memory);
    }

    static long run(NativeProgram program, MapSet maps, MemorySegment memory) {
        try (RunState state = state(maps)) {
            if (memory.address() == 0) {
                return run(program, state, 0, 0);
            }
            state.regions().add("memory", memory.address(), memory.byteSize(), !memory.isReadOnly());
            return run(program, state, memory.address(), memory.byteSize());
        }
    }

    /** One run inside a state the caller made and closes (to read its budget or give it a packet). */
    static long run(NativeProgram program, RunState state, long r1, long r2) {
        state.enter();
        try {
            return program.run(state, r1, r2);
        } finally {
            state.leave();
        }
    }
}
