package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.trufflebpf.kernel.KernelEngineService;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionText;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.runtime.KernelEngineProvider.Verdict;
import org.trufflebpf.verifier.Verifier;

/**
 * Our verifier's program-type rules against the host kernel's verifier, case by case: which helpers each type
 * may call, where LD_ABS and LD_IND are allowed, division by an immediate zero, and the context: every aligned
 * offset of the context struct (and a few beyond, plus one misaligned offset per 8 bytes), every width, loaded
 * (also sign-extending), stored from a register, stored as an immediate and changed atomically, for socket
 * filters, tc programs and XDP. Each case is a program of a few instructions that both verifiers judge.
 * Skipped where bpf(2) is refused.
 */
class ProgramTypeRulesKernelAgreementTest {
    private static final int[] SIZES = {Opcodes.SIZE_B, Opcodes.SIZE_H, Opcodes.SIZE_W, Opcodes.SIZE_DW};

    private enum Access {
        LOAD, LOAD_SIGN_EXTENDED, STORE, STORE_IMMEDIATE, ATOMIC_ADD
    }

    /** r1 is the context: one access at {@code offset}, then r0 = 0 and exit. */
    private static Program probe(ProgramType type, Access access, int size, int offset) {
        List<Instruction> code = new ArrayList<>();
        switch (access) {
            case LOAD -> code.add(Instruction.of(Opcodes.CLASS_LDX | Opcodes.MODE_MEM | size, 2, 1, offset, 0));
            case LOAD_SIGN_EXTENDED -> code.add(Instruction.of(Opcodes.CLASS_LDX | Opcodes.MODE_MEMSX | size, 2, 1, offset, 0));
            case STORE -> {
                code.add(Instruction.of(Opcodes.CLASS_ALU64 | Opcodes.ALU_MOV, 2, 0, 0, 0));
                code.add(Instruction.of(Opcodes.CLASS_STX | Opcodes.MODE_MEM | size, 1, 2, offset, 0));
            }
            case STORE_IMMEDIATE -> code.add(Instruction.of(Opcodes.CLASS_ST | Opcodes.MODE_MEM | size, 1, 0, offset, 0));
            case ATOMIC_ADD -> {
                code.add(Instruction.of(Opcodes.CLASS_ALU64 | Opcodes.ALU_MOV, 2, 0, 0, 1));
                code.add(Instruction.of(Opcodes.CLASS_STX | Opcodes.MODE_ATOMIC | size, 1, 2, offset, Opcodes.ATOMIC_ADD));
            }
        }
        code.add(Instruction.of(Opcodes.CLASS_ALU64 | Opcodes.ALU_MOV, 0, 0, 0, 0));
        code.add(Instruction.of(Opcodes.EXIT, 0, 0, 0, 0));
        List<Instruction> placed = new ArrayList<>();
        for (int i = 0; i < code.size(); i++) {
            placed.add(code.get(i).at(i));
        }
        return Program.of("probe", type, placed, List.of(), "probe.bin");
    }

    private static String ours(Program program) {
        try {
            Verifier.verify(program);
            return null;
        } catch (BpfError e) {
            return e.getMessage();
        }
    }

    private static void assumeKernel() {
        String unavailable = new KernelEngineService().unavailableReason();
        assumeTrue(unavailable == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL")), () -> unavailable == null ? "TRUFFLEBPF_NO_KERNEL=1" : unavailable);
    }

    /** The host kernel's verdict on the program as written, without BTF. */
    private static Verdict kernel(Program program) {
        return new KernelEngineService().verify(program, null);
    }

    /** The ids of the helpers both engines provide, in order. */
    private static TreeSet<Integer> helperIds() {
        TreeSet<Integer> ids = new TreeSet<>();
        for (Helper helper : Helper.values()) {
            ids.add(helper.id());
        }
        return ids;
    }

    private static Program program(ProgramType type, Instruction... code) {
        List<Instruction> placed = new ArrayList<>();
        int slot = 0;
        for (Instruction insn : code) {
            placed.add(insn.at(slot));
            slot += insn.slots();
        }
        return Program.of("probe", type, placed, List.of(), "probe.bin");
    }

    private static Instruction mov(int dst, int imm) {
        return Instruction.of(Opcodes.CLASS_ALU64 | Opcodes.ALU_MOV, dst, 0, 0, imm);
    }

    private static final Instruction EXIT = Instruction.of(Opcodes.EXIT, 0, 0, 0, 0);

    /**
     * Each helper both engines provide, called by each packet type with zero arguments: the kernel refuses a
     * helper the type may not use before it looks at the arguments ("program of this type cannot use helper"),
     * and so must we ("is not available to"); other refusals (arguments) are not compared here.
     */
    @ParameterizedTest
    @ValueSource(strings = {"socket", "tc", "xdp"})
    void helpersAreAvailableToTheTypesTheKernelAllowsThemFor(String typeName) {
        assumeKernel();
        ProgramType type = ProgramType.byName(typeName);
        List<String> disagreements = new ArrayList<>();
        for (int id : helperIds()) {
            Program program = program(type, mov(1, 0), mov(2, 0), mov(3, 0), mov(4, 0), mov(5, 0), Instruction.of(Opcodes.CALL, 0, 0, 0, id), mov(0, 0), EXIT);
            Verdict kernel = kernel(program);
            String ours = ours(program);
            boolean kernelRefusesType = !kernel.accepted() && kernel.reason().contains("cannot use helper");
            boolean weRefuseType = ours != null && ours.contains("is not available to");
            if (kernelRefusesType != weRefuseType) {
                disagreements.add("helper " + id + ": kernel " + (kernel.accepted() ? "accepts" : kernel.reason()) + ", ours " + (ours == null ? "accepts" : ours));
            }
        }
        assertEquals(List.of(), disagreements);
    }

    @ParameterizedTest
    @ValueSource(strings = {"socket", "tc", "xdp"})
    void packetLoadsAreAllowedWhereTheKernelAllowsThem(String typeName) {
        assumeKernel();
        ProgramType type = ProgramType.byName(typeName);
        Instruction keepContext = Instruction.of(Opcodes.CLASS_ALU64 | Opcodes.ALU_MOV | Opcodes.SRC_X, 6, 1, 0, 0);
        Program ldAbs = program(type, keepContext, Instruction.of(Opcodes.CLASS_LD | Opcodes.MODE_ABS | Opcodes.SIZE_B, 0, 0, 0, 12), mov(0, 0), EXIT);
        Program ldInd = program(type, keepContext, mov(2, 0), Instruction.of(Opcodes.CLASS_LD | Opcodes.MODE_IND | Opcodes.SIZE_H, 0, 2, 0, 12), mov(0, 0),
                        EXIT);
        for (Program program : List.of(ldAbs, ldInd)) {
            Verdict kernel = kernel(program);
            String ours = ours(program);
            assertEquals(kernel.accepted(), ours == null, () -> "kernel: " + kernel.reason() + "; ours: " + ours);
        }
    }

    /** div, mod, sdiv and smod, 32 and 64 bits, by the immediate 0 (refused) and by a register holding 0 (accepted). */
    @Test
    void divisionByAnImmediateZeroIsRefusedAndByARegisterAccepted() {
        assumeKernel();
        List<String> disagreements = new ArrayList<>();
        for (int cls : new int[] {Opcodes.CLASS_ALU, Opcodes.CLASS_ALU64}) {
            for (int operation : new int[] {Opcodes.ALU_DIV, Opcodes.ALU_MOD}) {
                for (int signed = 0; signed <= 1; signed++) {
                    Program byImmediate = program(ProgramType.SOCKET_FILTER, mov(0, 5), Instruction.of(cls | operation | Opcodes.SRC_K, 0, 0, signed, 0), EXIT);
                    Program byRegister = program(ProgramType.SOCKET_FILTER, mov(0, 5), mov(1, 0), Instruction.of(cls | operation | Opcodes.SRC_X, 0, 1, signed, 0),
                                    EXIT);
                    for (Program program : List.of(byImmediate, byRegister)) {
                        Verdict kernel = kernel(program);
                        String ours = ours(program);
                        if (kernel.accepted() != (ours == null)) {
                            disagreements.add(InstructionText.format(program.code().get(program.code().size() - 2)) + ": kernel "
                                            + (kernel.accepted() ? "accepts" : kernel.reason()) + ", ours " + (ours == null ? "accepts" : ours));
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), disagreements);
    }

    @ParameterizedTest
    @ValueSource(strings = {"socket", "tc", "xdp"})
    void everyContextAccessIsJudgedAsTheKernelJudgesIt(String typeName) {
        assumeKernel();
        ProgramType type = ProgramType.byName(typeName);
        int structSize = type == ProgramType.XDP ? 24 : 192;
        List<String> disagreements = new ArrayList<>();
        int cases = 0;
        for (Access access : Access.values()) {
            for (int size : SIZES) {
                if (access == Access.ATOMIC_ADD && size != Opcodes.SIZE_W && size != Opcodes.SIZE_DW
                                || access == Access.LOAD_SIGN_EXTENDED && size == Opcodes.SIZE_DW) {
                    continue;
                }
                for (int offset = -8; offset < structSize + 8; offset++) {
                    int bytes = Opcodes.sizeBytes(size);
                    if (offset % bytes != 0 && Math.floorMod(offset, 8) != 1) {
                        continue; // misaligned: one such offset per 8 bytes is enough
                    }
                    Program program = probe(type, access, size, offset);
                    Verdict kernel = kernel(program);
                    String ourReason = ours(program);
                    cases++;
                    if (kernel.accepted() != (ourReason == null)) {
                        disagreements.add(access + " size " + Opcodes.sizeBytes(size) + " offset " + offset + ": kernel "
                                        + (kernel.accepted() ? "accepts" : "refuses (" + kernel.reason() + ")") + ", ours "
                                        + (ourReason == null ? "accepts" : "refuses (" + ourReason + ")"));
                    }
                }
            }
        }
        assertEquals(List.of(), disagreements.subList(0, Math.min(20, disagreements.size())), disagreements.size() + " of " + cases + " cases differ");
    }
}
