package org.trufflebpf.jit.x64;

import java.util.List;

/**
 * Emits the byte-exact prologue and epilogue of spec/x64-jit.md §2–§3 (the kernel's layout since commit
 * ebf7d1f508), and the unwind a tail call performs before it jumps.
 */
public final class PrologueEmitter {
    /** nop5 + (xor eax,eax | nop2) + push rbp + mov rbp,rsp: where a tail call enters its target. */
    public static final int X86_TAIL_CALL_OFFSET = 11;

    private PrologueEmitter() {
    }

    public static void emitPrologue(X86Assembler asm, JitFunction function) {
        asm.nop5(); // patch site, always present
        if (function.tailCallReachable() && function.isEntry()) {
            asm.aluRegReg(X86Assembler.Alu.XOR, false, Registers.RAX, Registers.RAX); // 31 C0: counter = 0
        } else {
            asm.nop2();
        }
        asm.push(Registers.RBP);
        asm.movRegReg(true, Registers.RBP, Registers.RSP);
        // 48 81 EC imm32, even for depth 0, so every prologue has the same shape.
        asm.aluRegImm32(X86Assembler.Alu.SUB, Registers.RSP, function.roundedStackDepth());
        if (function.tailCallReachable()) {
            asm.push(Registers.RAX); // the tail-call counter slot at [rbp - rsd - 8]
        }
        for (int register : function.usedCalleeSaved()) {
            asm.push(register);
        }
    }

    public static void emitEpilogue(X86Assembler asm, JitFunction function) {
        popCalleeSaved(asm, function.usedCalleeSaved());
        if (function.tailCallReachable()) {
            asm.pop(Registers.RCX); // drop the counter into a caller-saved register
        }
        asm.leave();
        asm.ret();
    }

    /** The unwind before a tail call's jump (§4 step 5): pops, counter into rax, release the BPF stack. */
    public static void emitTailCallUnwind(X86Assembler asm, JitFunction function) {
        popCalleeSaved(asm, function.usedCalleeSaved());
        asm.pop(Registers.RAX);
        asm.aluRegImm32(X86Assembler.Alu.ADD, Registers.RSP, function.roundedStackDepth()); // 48 81 C4 imm32
    }

    private static void popCalleeSaved(X86Assembler asm, List<Integer> pushed) {
        for (int i = pushed.size() - 1; i >= 0; i--) {
            asm.pop(pushed.get(i));
        }
    }

    /** Offset below rbp of the tail-call counter slot that {@code push rax} writes: rsd + 8. */
    public static int tailCallCounterOffset(JitFunction function) {
        return -(function.roundedStackDepth() + 8);
    }

    /**
     * Where the tail-call sequences read and write the counter as 32 bits: the slot's upper half, as the seed's
     * {@code tcc_off = -4 - round_up(stack_depth, 8)}. Whole-slot moves (push, pop, the bpf-to-bpf reload)
     * carry it along.
     */
    public static int tailCallCounterWordOffset(JitFunction function) {
        return -4 - function.roundedStackDepth();
    }
}
