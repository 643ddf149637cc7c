package org.trufflebpf.jit.x64;

import static org.trufflebpf.model.Opcodes.*;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.maps.ArrayMap;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * The bpf_map_lookup_elem calls native code does itself, without calling the helper (as the kernel's JIT inlines
 * array lookups): those whose r1 is, for certain, an array map of the program's own module with one copy of each
 * value. Certain means that r1 was last written by {@code lddw r1, map} earlier in the same straight-line
 * stretch: no instruction after that lddw up to the call is a jump target or a function's entry, so no path
 * reaches the call with another r1.
 */
final class InlineArrayLookups {
    private InlineArrayLookups() {
    }

    /** The inlined lookups of {@code program} over {@code maps}: the map each call's slot looks into. */
    static Map<Integer, ArrayMap> of(Program program, MapSet maps) {
        List<Instruction> code = program.code();
        Set<Integer> entries = entries(code);
        Map<Integer, ArrayMap> found = new HashMap<>();
        for (int i = 0; i < code.size(); i++) {
            Instruction call = code.get(i);
            if (call.opcode() != CALL || call.src() != 0 || call.imm() != Helper.MAP_LOOKUP_ELEM.id() || entries.contains(call.index())) {
                continue;
            }
            ArrayMap map = mapInR1(code, i, entries, maps);
            if (map != null) {
                found.put(call.index(), map);
            }
        }
        return found;
    }

    /** The array map r1 holds for certain before the instruction at list position {@code at}, or null. */
    private static ArrayMap mapInR1(List<Instruction> code, int at, Set<Integer> entries, MapSet maps) {
        for (int j = at - 1; j >= 0; j--) {
            Instruction insn = code.get(j);
            if ((RegisterLiveness.defines(insn) & (1 << 1)) != 0) {
                boolean mapReference = insn.isWide() && insn.dst() == 1 && (insn.src() == PSEUDO_MAP_FD || insn.src() == PSEUDO_MAP_IDX);
                if (!mapReference || insn.imm() < 0 || insn.imm() >= maps.size()) {
                    return null;
                }
                return maps.get(insn.imm()) instanceof ArrayMap array && !array.perCpu() && array.valueStride() <= Integer.MAX_VALUE ? array : null;
            }
            // Control may arrive here from elsewhere, or the stretch ends before it (a jump or exit in between
            // would also leave the stretch, so r1 could come from any path).
            if (entries.contains(insn.index()) || isJump(insn)) {
                return null;
            }
        }
        return null;
    }

    private static boolean isJump(Instruction insn) {
        return insn.isBranch() || insn.opcode() == EXIT;
    }

    /** Slots control may reach other than from the instruction before: jump targets and function entries. */
    private static Set<Integer> entries(List<Instruction> code) {
        Set<Integer> entries = new HashSet<>();
        entries.add(0);
        for (Instruction insn : code) {
            if (insn.isBranch()) {
                entries.add(insn.branchTarget());
            }
            if (insn.isLocalCall() || insn.isWide() && insn.src() == PSEUDO_FUNC) {
                entries.add(insn.localCallTarget());
            }
        }
        return entries;
    }
}
