package org.trufflebpf.runtime;

/**
 * The settings a run depends on, shared by both engines.
 *
 * @param instructionLimit the execution budget: instructions a run may execute (lddw counts once)
 * @param tailCallAbi      how the tail-call counter travels (the interpreter's functions are built for it, a constant
 *                         of their compiled code; the native engine compiles for it)
 * @param seed             seeds the deterministic clock and random numbers of the helpers
 * @param cpus             number of CPUs per-CPU maps hold values for
 * @param cpu              the CPU a run pretends to be on (get_smp_processor_id, per-CPU lookups)
 */
public record RunOptions(long instructionLimit, TailCallAbi tailCallAbi, long seed, int cpus, int cpu) {
    /**
     * A billion instructions: enough for the benchmark suite's compute programs (hashing 64 KiB, counting primes)
     * to finish, which users run as they are; a runaway program still stops within seconds once compiled.
     */
    public static final long DEFAULT_INSTRUCTION_LIMIT = 1_000_000_000L;

    public static RunOptions defaults() {
        return new RunOptions(DEFAULT_INSTRUCTION_LIMIT, TailCallAbi.COUNTER_BY_VALUE, 0L, 1, 0);
    }
}
