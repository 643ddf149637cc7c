package org.trufflebpf.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;
import org.trufflebpf.model.ProgramType;

/**
 * The load-time rewrite of context accesses that the kernel does in {@code convert_ctx_accesses}: a 4-byte
 * load of {@code __sk_buff.data} / {@code data_end} / {@code data_meta} or {@code xdp_md.data} / ... becomes an
 * 8-byte load of the real pointer stored after the struct (see {@link ProgramContexts}). Both engines run the
 * rewritten code. For a verified program the verifier says which loads read the context, wherever it flowed
 * (subprogram arguments, copies, spills: {@link ProgramAnalysis#contextFieldLoads}). An unverified program
 * gets a forward data-flow pass over the entry function only (r1 at entry, copies through {@code mov}); a
 * load whose base is not the context on every path is left alone there. The instruction count does not
 * change, so jump offsets stay valid.
 */
public final class ContextRewriter {
    private ContextRewriter() {
    }

    public static Program rewrite(Program program) {
        int[] mapping = fieldMapping(program.type());
        if (mapping == null) {
            return program;
        }
        List<Instruction> code = program.code();
        if (program.analysis() != null) {
            return rewriteLoads(program, mapping, program.analysis().contextFieldLoads());
        }
        int n = code.size();
        int end = n;
        // Only the entry function gets the context in r1; it ends where the first bpf-to-bpf callee starts.
        for (Instruction insn : code) {
            if (ProgramAnalysis.isFunctionReference(insn)) {
                int target = program.positionOf(insn.localCallTarget());
                if (target > 0 && target < end) {
                    end = target;
                }
            }
        }
        int[] ctxRegs = new int[end];
        boolean[] reached = new boolean[end];
        Arrays.fill(ctxRegs, -1); // -1: "all registers" (top), narrowed by intersection
        ctxRegs[0] = 1 << 1;
        reached[0] = true;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = 0; i < end; i++) {
                if (!reached[i]) {
                    continue;
                }
                Instruction insn = code.get(i);
                int out = transfer(insn, ctxRegs[i]);
                List<Integer> successors = new ArrayList<>(2);
                if (insn.isBranch()) {
                    successors.add(program.positionOf(insn.branchTarget()));
                }
                if (!insn.isExit() && !insn.isUnconditionalJump()) {
                    successors.add(i + 1);
                }
                for (int s : successors) {
                    if (s < 0 || s >= end) {
                        continue;
                    }
                    int merged = reached[s] ? ctxRegs[s] & out : out;
                    if (!reached[s] || merged != ctxRegs[s]) {
                        reached[s] = true;
                        ctxRegs[s] = merged;
                        changed = true;
                    }
                }
            }
        }
        Set<Integer> throughContext = new HashSet<>();
        for (int i = 0; i < end; i++) {
            Instruction insn = code.get(i);
            if (reached[i] && (ctxRegs[i] & (1 << insn.src())) != 0) {
                throughContext.add(insn.index());
            }
        }
        return rewriteLoads(program, mapping, throughContext);
    }

    /** Rewrites the 4-byte loads of a pointer field among {@code throughContext} (instruction indexes). */
    private static Program rewriteLoads(Program program, int[] mapping, Set<Integer> throughContext) {
        List<Instruction> code = program.code();
        List<Instruction> rewritten = new ArrayList<>(code);
        boolean any = false;
        for (int i = 0; i < code.size(); i++) {
            Instruction insn = code.get(i);
            if (insn.opcode() == (Opcodes.CLASS_LDX | Opcodes.MODE_MEM | Opcodes.SIZE_W) && throughContext.contains(insn.index())) {
                for (int f = 0; f < mapping.length; f += 2) {
                    if (insn.offset() == mapping[f]) {
                        rewritten.set(i, new Instruction(insn.index(), Opcodes.CLASS_LDX | Opcodes.MODE_MEM | Opcodes.SIZE_DW, insn.dst(), insn.src(),
                                        mapping[f + 1], 0, 0));
                        any = true;
                    }
                }
            }
        }
        if (!any) {
            return program;
        }
        return new Program(program.name(), program.section(), program.type(), rewritten, program.maps(), program.sourceName(), program.symbols(),
                        program.analysis(), program.lines());
    }

    /** Pairs of (visible u32 field offset, offset of the real 64-bit pointer), or null for no rewrite. */
    private static int[] fieldMapping(ProgramType type) {
        return switch (type) {
            case SOCKET_FILTER, SCHED_CLS -> new int[] {ProgramContexts.SKB_DATA, ProgramContexts.SKB_DATA_PTR, ProgramContexts.SKB_DATA_END,
                            ProgramContexts.SKB_DATA_END_PTR, ProgramContexts.SKB_DATA_META, ProgramContexts.SKB_DATA_META_PTR};
            case XDP -> new int[] {ProgramContexts.XDP_DATA, ProgramContexts.XDP_DATA_PTR, ProgramContexts.XDP_DATA_END, ProgramContexts.XDP_DATA_END_PTR,
                            ProgramContexts.XDP_DATA_META, ProgramContexts.XDP_DATA_META_PTR};
            case RAW -> null;
        };
    }

    /** The set of registers holding the context after {@code insn}. */
    private static int transfer(Instruction insn, int in) {
        int opcode = insn.opcode();
        int cls = insn.instructionClass();
        if (opcode == (Opcodes.CLASS_ALU64 | Opcodes.ALU_MOV | Opcodes.SRC_X) && insn.offset() == 0) {
            boolean ctx = (in & (1 << insn.src())) != 0;
            return ctx ? in | (1 << insn.dst()) : in & ~(1 << insn.dst());
        }
        if (opcode == Opcodes.CALL || opcode == Opcodes.CALLX) {
            return in & ~0x3f; // calls clobber r0-r5
        }
        if (cls == Opcodes.CLASS_ALU || cls == Opcodes.CLASS_ALU64 || cls == Opcodes.CLASS_LDX || cls == Opcodes.CLASS_LD) {
            if (cls == Opcodes.CLASS_LD && insn.opcode() != Opcodes.LDDW) {
                return in & ~0x3f; // LD_ABS / LD_IND write r0 and, like calls, clobber r1-r5
            }
            return in & ~(1 << insn.dst());
        }
        if (cls == Opcodes.CLASS_STX && Opcodes.mode(opcode) == Opcodes.MODE_ATOMIC) {
            int imm = insn.imm();
            if (imm == Opcodes.ATOMIC_CMPXCHG) {
                return in & ~1;
            }
            if ((imm & Opcodes.ATOMIC_FETCH) != 0) {
                return in & ~(1 << insn.src());
            }
        }
        return in;
    }
}
