package org.trufflebpf.truffle.nodes;

import java.util.function.Function;

import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.truffle.BpfLanguage;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;

/**
 * A loaded program's entry call targets, one per tail-call ABI. The ABI is a constant of each function's nodes
 * (so compiled code holds one ABI's tail-call sequence), and a program that runs, or is tail called, under
 * the other ABI gets functions of its own, built the first time they are asked for.
 */
public final class EntryTargets {
    /** Builds the program's functions for one ABI (the rest of what the builder needs is fixed at load). */
    private final Function<TailCallAbi, CallTarget> builder;
    private final CallTarget[] byAbi = new CallTarget[TailCallAbi.values().length];

    private EntryTargets(Function<TailCallAbi, CallTarget> builder) {
        this.builder = builder;
    }

    /**
     * Builds the program for {@code abi} at once, so that what the interpreter refuses is refused at load;
     * {@code cpu} is the CPU every run of the context pretends to be on; {@code sources} hold the lines that
     * instruments show.
     */
    public static EntryTargets build(BpfLanguage language, Program program, MapSet maps, int cpu, TailCallAbi abi, LineSources sources) {
        EntryTargets targets = new EntryTargets(forAbi -> ProgramBuilder.build(language, program, maps, forAbi, cpu, sources));
        targets.get(abi);
        return targets;
    }

    /**
     * The entry function built for {@code abi}. Callers keep the one they use most (a program its own ABI's), so
     * this lock is taken on the rarer path of a tail call made under the other ABI.
     */
    @TruffleBoundary
    public synchronized CallTarget get(TailCallAbi abi) {
        CallTarget target = byAbi[abi.ordinal()];
        if (target == null) {
            target = builder.apply(abi);
            byAbi[abi.ordinal()] = target;
        }
        return target;
    }
}
