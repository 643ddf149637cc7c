package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trufflebpf.model.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfFunction;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * Disassembles (Capstone) the code of representative functions and compares it instruction by instruction
 * with the sequences of spec/x64-jit.md §2, §3 and §6.
 */
class GoldenLayoutTest {

    @BeforeAll
    static void needsCapstone() {
        Assumptions.assumeTrue(JitDisassembler.isAvailable(), "Capstone (Debian package libcapstone4) is not installed: golden tests skipped");
    }

    /** A verified program whose functions are given as (start, end, stack depth, tail call reachable). */
    private static Program verified(List<Instruction> code, int[]... functions) {
        Program program = TestPrograms.of(code);
        List<BpfFunction> list = new ArrayList<>();
        for (int i = 0; i < functions.length; i++) {
            int[] f = functions[i];
            List<Instruction> own = program.code().stream().filter(insn -> insn.index() >= f[0] && insn.index() < f[1]).toList();
            list.add(new BpfFunction(i, i == 0 ? "entry" : "sub" + i, f[0], f[1], own, f[2], List.of(), false, f[3] == 1));
        }
        return program.withAnalysis(new ProgramAnalysis(list, Map.of(), 0, List.of(), Set.of()));
    }

    private static List<String> disassembled(Program program, int function) {
        NativeImage image = BpfToX86.compile(program, JitOptions.UNCHECKED);
        return JitDisassembler.function(image, function).stream().map(JitDisassembler.X86Instruction::text).toList();
    }

    private static String prologueHex(Program program, int function, int length) {
        NativeImage image = BpfToX86.compile(program, JitOptions.UNCHECKED);
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < length; i++) {
            hex.append(String.format("%02x", image.code()[image.functionStart()[function] + i] & 0xff));
        }
        return hex.toString();
    }

    private static final Instruction EXIT_INSN = Instruction.of(EXIT, 0, 0, 0, 0);

    @Test
    void functionWithoutStackOrCalleeSavedRegisters() {
        Program program = verified(List.of(Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 1), EXIT_INSN), new int[] {0, 2, 0, 0});
        assertEquals(List.of("nop dword ptr [rax + rax]", "nop", "push rbp", "mov rbp, rsp", "sub rsp, 0", "mov eax, 1", "leave", "ret"),
                        disassembled(program, 0));
        assertEquals("0f1f440000" + "6690" + "55" + "4889e5" + "4881ec00000000", prologueHex(program, 0, 18));
    }

    @Test
    void stackIsRoundedAndUsedCalleeSavedRegistersArePushedAndPoppedInReverse() {
        // r6 and r9 used, 12 bytes of stack (rounded to 16); two exits share one epilogue.
        Program program = verified(List.of(Instruction.of(CLASS_ALU64 | ALU_MOV, 6, 0, 0, 1), Instruction.of(CLASS_ST | MODE_MEM | SIZE_W, 10, 0, -12, 7),
                        Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 9, 6, 0, 0), Instruction.of(CLASS_JMP | JMP_JEQ, 9, 0, 1, 1),
                        Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 0, 9, 0, 0), EXIT_INSN, EXIT_INSN), new int[] {0, 7, 12, 0});
        assertEquals(List.of("nop dword ptr [rax + rax]", "nop", "push rbp", "mov rbp, rsp", "sub rsp, 0x10", "push rbx", "push r15",
                        "mov ebx, 1", "mov dword ptr [rbp - 0xc], 7", "mov r15, rbx", "cmp r15, 1", "je 0x" + Integer.toHexString(0),
                        "mov rax, r15", "pop r15", "pop rbx", "leave", "ret", "jmp 0x0"), normalizeJumps(disassembled(program, 0)));
    }

    /** Jump targets are absolute offsets; the test checks the instruction kinds, so targets are replaced. */
    private static List<String> normalizeJumps(List<String> lines) {
        return lines.stream().map(l -> l.matches("j\\w+ 0x[0-9a-f]+") ? l.replaceAll("0x[0-9a-f]+", "0x0") : l).toList();
    }

    @Test
    void tailCallReachableEntryResetsTheCounterAndKeepsItInItsFrame() {
        Program program = verified(List.of(Instruction.of(CLASS_ALU64 | ALU_MOV, 0, 0, 0, 0), EXIT_INSN), new int[] {0, 2, 4, 1});
        assertEquals(List.of("nop dword ptr [rax + rax]", "xor eax, eax", "push rbp", "mov rbp, rsp", "sub rsp, 8", "push rax", "xor eax, eax",
                        "pop rcx", "leave", "ret"), disassembled(program, 0));
        assertEquals("0f1f440000" + "31c0" + "55" + "4889e5" + "4881ec08000000" + "50", prologueHex(program, 0, 19));
    }

    @Test
    void tailCallReachableSubprogramInheritsTheCounterThroughRax() {
        // entry: 1-byte stack (rounded to 8), calls sub, which is tail call reachable (kernel fix ff672c67ee76).
        Program program = verified(List.of(Instruction.of(CLASS_ST | MODE_MEM | SIZE_B, 10, 0, -1, 1), Instruction.of(CALL, 0, CALL_LOCAL, 0, 1),
                        EXIT_INSN, Instruction.of(CLASS_ALU64 | ALU_MOV, 6, 0, 0, 2), Instruction.of(CLASS_ALU64 | ALU_MOV | SRC_X, 0, 6, 0, 0),
                        EXIT_INSN), new int[] {0, 3, 1, 1}, new int[] {3, 6, 0, 1});
        NativeImage image = BpfToX86.compile(program, JitOptions.UNCHECKED);
        List<String> entry = disassembled(program, 0);
        assertEquals(List.of("nop dword ptr [rax + rax]", "xor eax, eax", "push rbp", "mov rbp, rsp", "sub rsp, 8", "push rax",
                        "mov byte ptr [rbp - 1], 1", "mov rax, qword ptr [rbp - 0x10]",
                        "call 0x" + Integer.toHexString(image.functionStart()[1]), "pop rcx", "leave", "ret"), entry);
        // The counter reload is exactly 48 8B 85 disp32 with disp = -(rsd + 8) = -16.
        int reload = image.insnStart()[1];
        assertEquals("488b85f0ffffff", hex(image.code(), reload, 7));
        assertEquals(List.of("nop dword ptr [rax + rax]", "nop", "push rbp", "mov rbp, rsp", "sub rsp, 0", "push rax", "push rbx", "mov ebx, 2",
                        "mov rax, rbx", "pop rbx", "pop rcx", "leave", "ret"), disassembled(program, 1));
    }

    private static String hex(byte[] code, int from, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(String.format("%02x", code[from + i] & 0xff));
        }
        return sb.toString();
    }

    private static final String TAIL_CALLER = """
                    .map jmp_table prog_array key=4 value=4 entries=4
                    .program caller socket
                        KEY_SETUP
                        lddw %r2, map:jmp_table
                        call tail_call
                        mov %r0, 1
                        exit
                    """;

    /** The x86 code of the instruction at {@code slot}, single-byte nop padding dropped, jump targets blanked. */
    private static List<String> codeOf(String keySetup, int slot) {
        return normalizeJumps(decodedOf(keySetup, slot).stream().filter(x -> !(x.bytes().length == 1 && x.bytes()[0] == (byte) 0x90))
                        .map(JitDisassembler.X86Instruction::text).toList());
    }

    /** The bytes of each x86 instruction at {@code slot}, as space-separated hex. */
    private static List<String> bytesOf(String keySetup, int slot) {
        return decodedOf(keySetup, slot).stream().map(x -> hex(x.bytes(), 0, x.bytes().length).replaceAll("(..)(?!$)", "$1 ")).toList();
    }

    private static List<JitDisassembler.X86Instruction> decodedOf(String keySetup, int slot) {
        BpfObject object = Assembler.assemble(TAIL_CALLER.replace("KEY_SETUP", keySetup), "tail.s");
        MapSet maps = MapSet.create(object.maps(), 1, "tail.s");
        try {
            NativeImage image = BpfToX86.compile(object.findProgram("caller"), JitOptions.UNCHECKED, maps);
            return JitDisassembler.decode(image.code(), image.insnStart()[slot], image.insnEnd()[slot]);
        } finally {
            maps.close();
        }
    }

    @Test
    void indirectTailCallFollowsSection4() {
        // Unverified: 512-byte stack, so the counter slot is rbp - 0x208 and its 32-bit word (the upper half) rbp - 0x204.
        assertEquals(List.of("mov edx, edx", "cmp edx, dword ptr [rsi]", "jae 0x0", "mov eax, dword ptr [rbp - 0x204]", "cmp eax, 0x20", "ja 0x0",
                        "add eax, 1", "mov dword ptr [rbp - 0x204], eax", "mov rcx, qword ptr [rsi + rdx*8 + 8]", "test rcx, rcx", "je 0x0", "pop rax",
                        "add rsp, 0x200", "add rcx, 0xb", "jmp rcx"), codeOf("ldxw %r3, [%r1]", 3));
    }

    @Test
    void tailCallCounterIsTheSlotsUpperWordWithA32BitDisplacement() {
        // 8B 85 disp32 (mov eax, [rbp-0x204]) and 89 85 disp32 (mov [rbp-0x204], eax): -4 - 512, as the seed's tcc_off.
        for (String keySetup : List.of("ldxw %r3, [%r1]", "mov %r3, 1")) {
            String code = String.join(" ", bytesOf(keySetup, 3));
            assertTrue(code.contains("8b 85 fc fd ff ff"), code);
            assertTrue(code.contains("89 85 fc fd ff ff"), code);
        }
    }

    @Test
    void directTailCallFollowsSection5InStateC() {
        assertEquals(List.of("mov eax, dword ptr [rbp - 0x204]", "cmp eax, 0x20", "ja 0x0", "add eax, 1", "mov dword ptr [rbp - 0x204], eax",
                        "jmp 0x0", "pop rax", "add rsp, 0x200", "nop dword ptr [rax + rax]"), codeOf("mov %r3, 1", 3));
    }
}
