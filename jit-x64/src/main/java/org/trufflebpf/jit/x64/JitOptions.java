package org.trufflebpf.jit.x64;

import org.trufflebpf.runtime.TailCallAbi;

/**
 * How the native engine compiles.
 *
 * @param checked     every memory access outside the function's known stack is checked against the BPF stacks
 *                    and the run's memory regions, bpf-to-bpf calls against the frame limit, tail calls' r2
 *                    against the program's prog arrays, and helpers stop the run when they fail; a violation
 *                    stops the run with a {@link org.trufflebpf.model.BpfError}. Unchecked code trusts the
 *                    program: only for verified programs.
 * @param budget      charge each straight-line block against the run's instruction limit before it starts,
 *                    exactly as the interpreter does (BUDGET error at the block's start)
 * @param tailCallAbi the runtime's tail-call counter ABI the code implements; it runs only under that ABI
 */
public record JitOptions(boolean checked, boolean budget, TailCallAbi tailCallAbi) {

    /** Safe for any program, same observable behaviour as the interpreter; the engine sets the context's ABI. */
    public static final JitOptions CHECKED = new JitOptions(true, true, TailCallAbi.COUNTER_BY_VALUE);
    /**
     * The kernel's code and nothing else: no bounds checks, no budget, no call-depth limit. Only for verified
     * programs, through the jit-x64 API, the golden layout tests and {@code bpf jit-dump --unchecked}; the
     * Polyglot API always runs {@link #CHECKED} code.
     */
    public static final JitOptions UNCHECKED = new JitOptions(false, false, TailCallAbi.COUNTER_BY_VALUE);

    public JitOptions withTailCallAbi(TailCallAbi abi) {
        return new JitOptions(checked, budget, abi);
    }
}
