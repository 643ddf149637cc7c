package org.trufflebpf.jit.x64;

/**
 * x86-64 register numbers as the hardware encodes them (the low three bits go into ModRM/SIB, the fourth into
 * REX) and the kernel JIT's mapping of BPF registers onto them.
 */
public final class Registers {
    private Registers() {
    }

    public static final int RAX = 0;
    public static final int RCX = 1;
    public static final int RDX = 2;
    public static final int RBX = 3;
    public static final int RSP = 4;
    public static final int RBP = 5;
    public static final int RSI = 6;
    public static final int RDI = 7;
    public static final int R8 = 8;
    public static final int R9 = 9;
    public static final int R10 = 10;
    public static final int R11 = 11;
    public static final int R12 = 12;
    public static final int R13 = 13;
    public static final int R14 = 14;
    public static final int R15 = 15;

    /** Scratch register the JIT uses within one BPF instruction (the kernel's BPF_REG_AX). */
    public static final int AUX = R11;
    /** Second scratch register, free for the JIT. */
    public static final int SCRATCH = R10;
    /** Holds the run block (error slot, saved stack pointer, memory regions) while a program runs. */
    public static final int RUN_CONTEXT = R12;
    /**
     * Code compiled with a budget keeps the run's remaining budget here (no BPF register maps to r9), so that
     * charging a block is one register subtraction rather than a read-modify-write of the run block. The run
     * block holds it only around calls out of BPF code (helpers read and charge it) and after the run.
     */
    public static final int BUDGET = R9;

    /** BPF r0..r10 to x86-64: rax; rdi, rsi, rdx, rcx, r8; rbx, r13, r14, r15; rbp. */
    private static final int[] BPF_TO_X86 = {RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP};

    public static int ofBpf(int bpfRegister) {
        return BPF_TO_X86[bpfRegister];
    }
}
