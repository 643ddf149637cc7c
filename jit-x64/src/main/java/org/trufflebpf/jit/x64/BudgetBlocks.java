package org.trufflebpf.jit.x64;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.trufflebpf.model.Instruction;

/**
 * The straight-line blocks the execution budget charges, by the rule both engines share: a block starts at a
 * function's first instruction, at every branch target, and after every branch, call and exit; lddw counts
 * once.
 */
final class BudgetBlocks {
    private BudgetBlocks() {
    }

    /** Block length by the slot of each block's first instruction, for the instructions of one function. */
    static Map<Integer, Integer> of(List<Instruction> code, JitFunction function) {
        List<Instruction> own = code.stream().filter(insn -> function.contains(insn.index())).toList();
        java.util.Set<Integer> leaders = new java.util.HashSet<>();
        if (!own.isEmpty()) {
            leaders.add(own.get(0).index());
        }
        for (int i = 0; i < own.size(); i++) {
            Instruction insn = own.get(i);
            boolean endsBlock = insn.isBranch() || insn.isExit() || insn.opcode() == org.trufflebpf.model.Opcodes.CALL || insn.isCallx();
            if (endsBlock && i + 1 < own.size()) {
                leaders.add(own.get(i + 1).index());
            }
            if (insn.isBranch()) {
                leaders.add(insn.branchTarget());
            }
        }
        Map<Integer, Integer> lengths = new HashMap<>();
        int start = -1;
        for (Instruction insn : own) {
            if (leaders.contains(insn.index())) {
                start = insn.index();
            }
            lengths.merge(start, 1, Integer::sum);
        }
        return lengths;
    }
}
