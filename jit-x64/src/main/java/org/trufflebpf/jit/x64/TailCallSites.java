package org.trufflebpf.jit.x64;

import static org.trufflebpf.model.Opcodes.*;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.TailCallSite;

/**
 * Which {@code bpf_tail_call} sites may take the direct (patched) form: the verifier's facts when the program
 * is verified; otherwise a local proof: in the same straight-line block, the closest writes of r2 and r3 are
 * {@code lddw r2, map:M} and {@code mov r3, K}. Either way only a prog array with {@code K < max_entries}
 * qualifies (kernel fix a657182a5c51).
 */
final class TailCallSites {
    private TailCallSites() {
    }

    /** Direct sites by slot index. */
    static Map<Integer, TailCallSite> direct(Program program) {
        Map<Integer, TailCallSite> result = new HashMap<>();
        if (program.isVerified()) {
            for (TailCallSite site : program.analysis().tailCallSites().values()) {
                if (site.direct() && qualifies(program, site.mapIndex(), site.constantKey())) {
                    result.put(site.index(), site);
                }
            }
            return result;
        }
        Set<Integer> leaders = new HashSet<>();
        for (Instruction insn : program.code()) {
            if (insn.isBranch()) {
                leaders.add(insn.branchTarget());
            }
        }
        List<Instruction> code = program.code();
        for (int p = 0; p < code.size(); p++) {
            Instruction call = code.get(p);
            if (!call.isHelperCall() || call.imm() != Helper.TAIL_CALL.id() || leaders.contains(call.index())) {
                continue;
            }
            Instruction mapWriter = null;
            Instruction keyWriter = null;
            for (int q = p - 1; q >= 0; q--) {
                Instruction insn = code.get(q);
                if (insn.isBranch() || insn.opcode() == CALL || insn.isCallx() || insn.isExit()) {
                    break;
                }
                if (mapWriter == null && writes(insn, 2)) {
                    mapWriter = insn;
                }
                if (keyWriter == null && writes(insn, 3)) {
                    keyWriter = insn;
                }
                if (leaders.contains(insn.index())) {
                    break;
                }
            }
            if (mapWriter != null && keyWriter != null && mapWriter.isWide()
                            && (mapWriter.src() == PSEUDO_MAP_FD || mapWriter.src() == PSEUDO_MAP_IDX)
                            && (keyWriter.opcode() == (CLASS_ALU64 | ALU_MOV | SRC_K) || keyWriter.opcode() == (CLASS_ALU | ALU_MOV | SRC_K))
                            && keyWriter.offset() == 0 && keyWriter.imm() >= 0 && qualifies(program, mapWriter.imm(), keyWriter.imm())) {
                result.put(call.index(), new TailCallSite(call.index(), mapWriter.imm(), keyWriter.imm(), true));
            }
        }
        return result;
    }

    private static boolean qualifies(Program program, int mapIndex, long key) {
        if (mapIndex < 0 || mapIndex >= program.maps().size()) {
            return false;
        }
        MapDefinition map = program.maps().get(mapIndex);
        return map.type() == MapType.PROG_ARRAY && key >= 0 && key < map.maxEntries();
    }

    /** Whether an instruction may change BPF register {@code r}. */
    private static boolean writes(Instruction insn, int r) {
        int cls = insn.instructionClass();
        if (cls == CLASS_ALU || cls == CLASS_ALU64 || cls == CLASS_LDX || cls == CLASS_LD) {
            return insn.dst() == r;
        }
        if (cls == CLASS_STX && mode(insn.opcode()) == MODE_ATOMIC) {
            return (insn.imm() & ATOMIC_FETCH) != 0 && (insn.src() == r || (insn.imm() == ATOMIC_CMPXCHG && r == 0));
        }
        return false;
    }
}
