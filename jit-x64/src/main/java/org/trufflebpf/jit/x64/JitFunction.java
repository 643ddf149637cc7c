package org.trufflebpf.jit.x64;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.trufflebpf.model.BpfFunction;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;

/**
 * What the JIT needs to know about one function: its slots, its rounded stack size, which callee-saved
 * registers it touches and whether it keeps a tail-call counter. From the verifier's analysis when the
 * program is verified; otherwise derived here conservatively (a full 512-byte stack per function, a counter
 * in every function when the program calls {@code bpf_tail_call} anywhere).
 *
 * @param id                position; 0 is the entry function
 * @param name              for error messages and disassembly
 * @param start             first slot index
 * @param end               slot index past the last instruction
 * @param roundedStackDepth round_up(stack_depth, 8)
 * @param usedCalleeSaved   x86 callee-saved registers (rbx, r13, r14, r15) the function writes or reads, in push order
 * @param tailCallReachable the function keeps the tail-call counter slot
 */
public record JitFunction(int id, String name, int start, int end, int roundedStackDepth, List<Integer> usedCalleeSaved,
                boolean tailCallReachable) {

    public JitFunction {
        usedCalleeSaved = List.copyOf(usedCalleeSaved);
    }

    public boolean isEntry() {
        return id == 0;
    }

    public boolean contains(int slot) {
        return slot >= start && slot < end;
    }

    /** The functions of a program, entry first. */
    public static List<JitFunction> of(Program program) {
        List<JitFunction> result = new ArrayList<>();
        if (program.isVerified()) {
            for (BpfFunction f : program.analysis().functions()) {
                result.add(new JitFunction(f.id(), f.name(), f.start(), f.end(), f.roundedStackDepth(),
                                usedCalleeSaved(program.code(), f.start(), f.end()), f.tailCallReachable()));
            }
            return result;
        }
        TreeSet<Integer> starts = ProgramAnalysis.functionStarts(program);
        boolean callsTailCall = false;
        for (Instruction insn : program.code()) {
            callsTailCall |= insn.isHelperCall() && insn.imm() == Helper.TAIL_CALL.id();
        }
        List<Integer> ordered = new ArrayList<>(starts);
        for (int i = 0; i < ordered.size(); i++) {
            int start = ordered.get(i);
            int end = i + 1 < ordered.size() ? ordered.get(i + 1) : program.slotCount();
            String name = program.symbols().getOrDefault(start, i == 0 ? program.name() : "func@" + start);
            result.add(new JitFunction(i, name, start, end, Opcodes.MAX_STACK, usedCalleeSaved(program.code(), start, end), callsTailCall));
        }
        return result;
    }

    /** rbx, r13, r14, r15 for BPF r6..r9, each if an instruction of the function names it (kernel: detect_reg_usage). */
    private static List<Integer> usedCalleeSaved(List<Instruction> code, int start, int end) {
        boolean[] used = new boolean[4];
        for (Instruction insn : code) {
            if (insn.index() < start || insn.index() >= end) {
                continue;
            }
            for (int reg : new int[] {insn.dst(), insn.src()}) {
                if (reg >= 6 && reg <= 9) {
                    used[reg - 6] = true;
                }
            }
        }
        List<Integer> registers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            if (used[i]) {
                registers.add(Registers.ofBpf(6 + i));
            }
        }
        return registers;
    }
}
