package org.trufflebpf.jit.x64;

/**
 * How the native engine compiles.
 *
 * @param checked               every memory access outside the function's known stack is checked against the
 *                              BPF stacks and the run's memory regions, bpf-to-bpf calls against the frame
 *                              limit and tail calls' r2 against the program's prog arrays; a violation stops
 *                              the run with a {@link org.trufflebpf.model.BpfError}. Unchecked code trusts the
 *                              program: only for verified programs.
 * @param budget                charge each straight-line block against the run's instruction limit before it
 *                              starts, exactly as the interpreter does (BUDGET error at the block's start)
 * @param sharedTailCallCounter the tail-call ABI of kernel commit 116e04ba1459: one counter per run, counted
 *                              after the NULL check, instead of the seed's counter carried by value
 */
public record JitOptions(boolean checked, boolean budget, boolean sharedTailCallCounter) {
    /** Safe for any program, same observable behaviour as the interpreter: the default. */
    public static final JitOptions CHECKED = new JitOptions(true, true, false);
    /** The kernel's code and nothing else: for verified programs, golden layout tests and jit-dump. */
    public static final JitOptions UNCHECKED = new JitOptions(false, false, false);

    public JitOptions withSharedTailCallCounter(boolean shared) {
        return new JitOptions(checked, budget, shared);
    }
}
