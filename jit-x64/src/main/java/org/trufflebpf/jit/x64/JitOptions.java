package org.trufflebpf.jit.x64;

/**
 * How the native engine compiles.
 *
 * @param checked every memory access outside the function's known stack is checked against the BPF stacks
 *                and the run's memory regions, and bpf-to-bpf calls against the frame limit; a violation
 *                stops the run with a {@link org.trufflebpf.model.BpfError} instead of touching memory.
 *                Unchecked code trusts the program: only for verified programs.
 */
public record JitOptions(boolean checked) {
    public static final JitOptions CHECKED = new JitOptions(true);
    public static final JitOptions UNCHECKED = new JitOptions(false);
}
