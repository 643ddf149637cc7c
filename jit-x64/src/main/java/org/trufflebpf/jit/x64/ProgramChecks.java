package org.trufflebpf.jit.x64;

import java.util.List;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionRules;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;

/**
 * The structural facts native code relies on even for unverified programs, because breaking them would
 * corrupt the machine state rather than give a wrong BPF result: valid encodings, no write to r10 (it is
 * rbp), jumps that land on an instruction of their own function, and functions that end in exit or ja.
 */
final class ProgramChecks {
    private ProgramChecks() {
    }

    static void check(Program program, List<JitFunction> functions) {
        if (program.code().isEmpty()) {
            throw new BpfError(BpfError.Kind.LOAD, program.sourceName(), "program has no instructions");
        }
        for (JitFunction function : functions) {
            Instruction last = null;
            for (Instruction insn : program.code()) {
                if (!function.contains(insn.index())) {
                    continue;
                }
                last = insn;
                String problem = problem(program, function, insn);
                if (problem != null) {
                    throw BpfError.at(BpfError.Kind.LOAD, program.sourceName(), function.name(), insn, problem);
                }
            }
            if (last == null || !(last.isExit() || last.isUnconditionalJump())) {
                Instruction at = last != null ? last : program.code().get(0);
                throw BpfError.at(BpfError.Kind.LOAD, program.sourceName(), function.name(), at, "function falls off its end (the last instruction must be exit or ja)");
            }
        }
    }

    private static String problem(Program program, JitFunction function, Instruction insn) {
        String rule = InstructionRules.check(insn);
        if (rule != null) {
            return rule;
        }
        if (insn.dst() > 10 || insn.src() > 10 && !(insn.isHelperCall() || insn.isLocalCall() || insn.isWide())) {
            return "invalid register";
        }
        if (insn.writesFramePointer()) {
            return "r10 is read-only";
        }
        if (insn.isBranch()) {
            int target = insn.branchTarget();
            if (!function.contains(target) || program.positionOf(target) < 0) {
                return "jump target " + target + " is outside the function";
            }
        }
        if (ProgramAnalysis.isFunctionReference(insn)) {
            if (program.positionOf(insn.localCallTarget()) < 0) {
                return "call to slot " + insn.localCallTarget() + " which starts no instruction";
            }
        }
        return null;
    }
}
