package org.trufflebpf.jit.x64;

/**
 * How the native engine compiles.
 *
 * @param checked          every memory access outside the function's known stack is checked against the
 *                         BPF stacks and the run's memory regions, bpf-to-bpf calls against the frame limit,
 *                         tail calls' r2 against the program's prog arrays, and helpers stop the run when
 *                         they fail; a violation stops the run with a {@link org.trufflebpf.model.BpfError}.
 *                         Unchecked code trusts the program: only for verified programs.
 * @param budget           charge each straight-line block against the run's instruction limit before it
 *                         starts, exactly as the interpreter does (BUDGET error at the block's start)
 * @param tailCallCounter  which tail-call counter ABI the code implements
 */
public record JitOptions(boolean checked, boolean budget, TailCallCounter tailCallCounter) {

    /** The tail-call counter ABIs (spec §8.4). */
    public enum TailCallCounter {
        /** The seed's: each frame carries the counter by value (rax at entry, a slot in the frame). */
        BY_VALUE,
        /** Kernel commit 116e04ba1459's: one counter per run, counted after the NULL check. */
        SHARED,
        /** Both sequences, the run choosing one (a flag in the run context), so one loaded program serves both. */
        PER_RUN
    }

    /** Safe for any program, same observable behaviour as the interpreter; the engine fixes the counter ABI per context. */
    public static final JitOptions CHECKED = new JitOptions(true, true, TailCallCounter.PER_RUN);
    /**
     * The kernel's code and nothing else: no bounds checks, no budget, no call-depth limit. Only for verified
     * programs, through the jit-x64 API, the golden layout tests and {@code bpf jit-dump --unchecked}; the
     * Polyglot API always runs {@link #CHECKED} code.
     */
    public static final JitOptions UNCHECKED = new JitOptions(false, false, TailCallCounter.BY_VALUE);

    public JitOptions withTailCallCounter(TailCallCounter counter) {
        return new JitOptions(checked, budget, counter);
    }
}
