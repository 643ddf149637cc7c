package org.trufflebpf.runtime;

import java.util.List;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;

/**
 * Splits a function into the straight-line blocks the execution budget charges. Both engines charge a block
 * of n instructions before it starts (lddw counts once), so they stop at exactly the same place.
 *
 * <p>A block starts at the function's first instruction, at every branch target, and after every branch,
 * call (helper, bpf-to-bpf, callx, tail call) and exit; it ends at the first of those that follows.
 */
public final class BasicBlocks {
    private BasicBlocks() {
    }

    /**
     * For each instruction of the function (by position in {@code code}), the length of the block that starts
     * there, or 0 if no block starts there.
     *
     * @param code  the function's instructions in slot order
     */
    public static int[] blockLengths(List<Instruction> code) {
        int n = code.size();
        boolean[] leader = new boolean[n];
        if (n > 0) {
            leader[0] = true;
        }
        int firstSlot = n == 0 ? 0 : code.get(0).index();
        for (int i = 0; i < n; i++) {
            Instruction insn = code.get(i);
            if (endsBlock(insn) && i + 1 < n) {
                leader[i + 1] = true;
            }
            if (insn.isBranch()) {
                int target = positionOf(code, insn.branchTarget(), firstSlot);
                if (target >= 0) {
                    leader[target] = true;
                }
            }
        }
        int[] lengths = new int[n];
        int start = -1;
        for (int i = 0; i < n; i++) {
            if (leader[i]) {
                start = i;
            }
            lengths[start]++;
        }
        return lengths;
    }

    /** Branches, calls and exits end a block. */
    public static boolean endsBlock(Instruction insn) {
        return insn.isBranch() || insn.isExit() || insn.opcode() == Opcodes.CALL || insn.isCallx();
    }

    private static int positionOf(List<Instruction> code, int slot, int firstSlot) {
        int low = 0;
        int high = code.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int index = code.get(mid).index();
            if (index == slot) {
                return mid;
            } else if (index < slot) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return -1;
    }
}
