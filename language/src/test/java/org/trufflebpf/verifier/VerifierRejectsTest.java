package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;

/**
 * Every rule of the verifier, each shown by a program it rejects and the exact one-line error: file,
 * function, instruction index, the instruction as disassembled, and the reason.
 */
class VerifierRejectsTest {

    /** One rejected program: the rule it breaks, how to build it, the options, and the full message. */
    record Case(String rule, Supplier<Program> program, VerifierOptions options, String message) {
        @Override
        public String toString() {
            return rule;
        }
    }

    static Case asm(String rule, String text, String message) {
        return new Case(rule, () -> Assembler.assembleProgram(text, "prog.s"), VerifierOptions.defaults(), message);
    }

    static Case built(String rule, List<Instruction> code, String message) {
        return new Case(rule, () -> Program.of("prog", ProgramType.RAW, code, List.of(), "prog.s"), VerifierOptions.defaults(), message);
    }

    static Stream<Case> rejected() {
        List<Instruction> tooLong = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            tooLong.add(Instruction.of(0xb7, 0, 0, 0, 0).at(i));
        }
        tooLong.add(Instruction.of(0x95, 0, 0, 0, 0).at(1_000_000));
        Instruction exitAt1 = Instruction.of(0x95, 0, 0, 0, 0).at(1);
        return Stream.of(
            // --- size and encoding -------------------------------------------------------------------------
            built("empty program", List.of(),
                "prog.s: function 'prog': program has no instructions"),
            built("more than 1,000,000 instructions", tooLong,
                "prog.s: function 'prog': program has 1000001 instructions, more than the limit of 1000000"),
            new Case("over a lower size limit given in the options", () -> Assembler.assembleProgram("mov %r0, 0\nmov %r0, 1\nexit", "prog.s"),
                VerifierOptions.defaults().withMaxInstructions(2),
                "prog.s: function 'prog': program has 3 instructions, more than the limit of 2"),
            built("unknown opcode built in memory", List.of(Instruction.of(0xe7, 0, 0, 0, 0).at(0), exitAt1),
                "prog.s: function 'prog': insn 0 '.insn 0x00000000000000e7': unknown opcode 0xe7"),
            built("register above r10 built in memory", List.of(Instruction.of(0xb7, 11, 0, 0, 1).at(0), exitAt1),
                "prog.s: function 'prog': insn 0 'mov %r11, 1': invalid destination register r11"),
            built("slot indexes with a gap", List.of(Instruction.of(0xb7, 0, 0, 0, 0).at(0), Instruction.of(0x95, 0, 0, 0, 0).at(2)),
                "prog.s: function 'prog': insn 2 'exit': instruction is at slot 2, expected slot 1"),
            built("map reference to a map the program does not have", List.of(Instruction.lddw(1, 1, 3).at(0),
                    Instruction.of(0xb7, 0, 0, 0, 0).at(2), Instruction.of(0x95, 0, 0, 0, 0).at(3)),
                "prog.s: function 'prog': insn 0 'lddw %r1, map:3': refers to map 3, but the program has 0 maps"),
            asm("map value offset outside the value", """
                .map counters array key=4 value=8 entries=1
                lddw %r1, map_value:counters+8
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 0 'lddw %r1, map_value:counters+8': offset 8 is outside the 8-byte value of map 'counters'"),

            // --- r10 is read-only --------------------------------------------------------------------------
            asm("mov to r10", "mov %r10, 0\nexit",
                "prog.s: function 'prog': insn 0 'mov %r10, 0': writes r10, the read-only frame pointer"),
            asm("add to r10", "add %r10, -8\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 0 'add %r10, -8': writes r10, the read-only frame pointer"),
            asm("load into r10", "ldxdw %r10, [%r1]\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 0 'ldxdw %r10, [%r1]': writes r10, the read-only frame pointer"),
            asm("lddw into r10", "lddw %r10, 0x1\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 0 'lddw %r10, 0x1': writes r10, the read-only frame pointer"),
            asm("atomic fetch into r10", "lock fetch add [%r1], %r10\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 0 'lock fetch add [%r1], %r10': writes r10, the read-only frame pointer"),

            // --- jumps and calls land on instructions of the right function --------------------------------
            asm("jump past the end of the program", "mov %r0, 0\nja +5\nexit",
                "prog.s: function 'prog': insn 1 'ja +5': jumps to insn 7, outside the program"),
            asm("jump before the start of the program", "ja -2\nexit",
                "prog.s: function 'prog': insn 0 'ja -2': jumps to insn -1, outside the program"),
            asm("jump into another function", """
                mov %r0, 0
                call local sub
                ja +2
                exit
                sub:
                mov %r0, 1
                exit""",
                "prog.s: function 'prog': insn 2 'ja +2': jumps to insn 5, outside function 'prog'"),
            asm("jump into the second slot of lddw", "mov %r0, 0\nja +1\nlddw %r0, 0x5\nexit",
                "prog.s: function 'prog': insn 1 'ja +1': jumps to insn 3, the second slot of lddw"),
            asm("call outside the program", "call local +10\nexit",
                "prog.s: function 'prog': insn 0 'call local +10': calls insn 11, outside the program"),
            asm("call into the second slot of lddw", "call local +1\nlddw %r0, 0x5\nexit",
                "prog.s: function 'prog': insn 0 'call local +1': calls insn 2, the second slot of lddw"),
            asm("function address outside the program", "lddw %r1, func:+20\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 0 'lddw %r1, func:+20': takes the address of insn 21, outside the program"),
            asm("unknown helper id", "call 999\nexit",
                "prog.s: function 'prog': insn 0 'call 999': calls unknown helper 999"),
            new Case("helper left out of the options", () -> Assembler.assembleProgram("call 7\nexit", "prog.s"),
                VerifierOptions.defaults().withHelperIds(Set.of(5)),
                "prog.s: function 'prog': insn 0 'call 7': calls unknown helper 7"),

            // --- no fall-through past a function's end, no unreachable code --------------------------------
            asm("fall-through off the end of the program", "mov %r0, 0",
                "prog.s: function 'prog': insn 0 'mov %r0, 0': execution falls through past the end of function 'prog'"),
            asm("conditional jump as the last instruction", "mov %r0, 0\njeq %r1, 0, -2",
                "prog.s: function 'prog': insn 1 'jeq %r1, 0, -2': execution falls through past the end of function 'prog'"),
            asm("subprogram falling into the next function", """
                call local a
                call local b
                exit
                a:
                mov %r0, 1
                b:
                mov %r0, 2
                exit""",
                "prog.s: function 'a': insn 3 'mov %r0, 1': execution falls through past the end of function 'a'"),
            asm("unreachable code after exit", "mov %r0, 0\nexit\nmov %r0, 1\nexit",
                "prog.s: function 'prog': insn 2 'mov %r0, 1': unreachable instruction"),
            asm("unreachable code jumped over", "mov %r0, 0\nja +1\nmov %r0, 1\nexit",
                "prog.s: function 'prog': insn 2 'mov %r0, 1': unreachable instruction"),
            asm("unreachable code in a subprogram", """
                call local sub
                exit
                sub:
                mov %r0, 0
                exit
                mov %r0, 1
                exit""",
                "prog.s: function 'sub': insn 4 'mov %r0, 1': unreachable instruction"),

            // --- call graph ----------------------------------------------------------------------------------
            asm("direct recursion", """
                call local f
                exit
                f:
                call local f
                exit""",
                "prog.s: function 'f': insn 2 'call local -1': recursive call: f -> f"),
            asm("mutual recursion", """
                call local f
                exit
                f:
                call local g
                exit
                g:
                call local f
                exit""",
                "prog.s: function 'g': insn 4 'call local -3': recursive call: f -> g -> f"),
            asm("calling the entry function again", """
                call local sub
                exit
                sub:
                call local -3
                exit""",
                "prog.s: function 'sub': insn 2 'call local -3': recursive call: prog -> sub -> prog"),
            asm("nine frames", """
                call local f1
                exit
                f1:
                call local f2
                exit
                f2:
                call local f3
                exit
                f3:
                call local f4
                exit
                f4:
                call local f5
                exit
                f5:
                call local f6
                exit
                f6:
                call local f7
                exit
                f7:
                call local f8
                exit
                f8:
                mov %r0, 0
                exit""",
                "prog.s: function 'f7': insn 14 'call local +1': call chain prog -> f1 -> f2 -> f3 -> f4 -> f5 -> f6 -> f7 -> f8 is 9 frames deep (at most 8)"),
            asm("call chain above 512 bytes of stack", """
                stdw [%r10-256], 0
                call local sub
                exit
                sub:
                stdw [%r10-264], 0
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 1 'call local +1': call chain prog -> sub needs 544 bytes of stack (at most 512, each frame rounded up to 32)"),
            asm("tail-calling subprogram called with 256 bytes of caller frames", """
                .map jmp_table prog_array key=4 value=4 entries=1
                stdw [%r10-256], 0
                call local sub
                exit
                sub:
                lddw %r2, map:jmp_table
                mov %r3, 0
                call tail_call
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 1 'call local +1': calls 'sub', which uses bpf_tail_call, while the frames of its callers total 256 bytes (must be below 256)"),
            asm("tail-calling subprogram two calls deep under 128 + 128 bytes", """
                .map jmp_table prog_array key=4 value=4 entries=1
                stdw [%r10-128], 0
                call local mid
                exit
                mid:
                stdw [%r10-128], 0
                call local sub
                exit
                sub:
                lddw %r2, map:jmp_table
                mov %r3, 0
                call tail_call
                mov %r0, 0
                exit""",
                "prog.s: function 'mid': insn 4 'call local +1': calls 'sub', which uses bpf_tail_call, while the frames of its callers total 256 bytes (must be below 256)"),

            // --- registers are read only when written on every path ------------------------------------------
            asm("register never written", "mov %r0, %r3\nexit",
                "prog.s: function 'prog': insn 0 'mov %r0, %r3': r3 is read before it is written on every path"),
            asm("register written on one path only", "jeq %r1, 0, +1\nmov %r0, 1\nexit",
                "prog.s: function 'prog': insn 2 'exit': r0 is read before it is written on every path"),
            asm("exit without a return value", "exit",
                "prog.s: function 'prog': insn 0 'exit': r0 is read before it is written on every path"),
            asm("r2 in a socket program", ".program filter socket\nmov %r0, %r2\nexit",
                "prog.s: function 'filter': insn 0 'mov %r0, %r2': r2 is read before it is written on every path"),
            asm("r6 at the entry of a subprogram", """
                mov %r6, 1
                call local sub
                exit
                sub:
                mov %r0, %r6
                exit""",
                "prog.s: function 'sub': insn 3 'mov %r0, %r6': r6 is read before it is written on every path"),
            asm("r0 from a subprogram that returns without setting it", "call local sub\nexit\nsub:\nexit",
                "prog.s: function 'prog': insn 1 'exit': r0 is read after a call to a function that does not set r0 on every path"),
            asm("callback (address taken, never called) returning without r0", "lddw %r1, func:+3\nmov %r0, 0\nexit\nexit",
                "prog.s: function 'func@4': insn 4 'exit': r0 is read before it is written on every path"),
            asm("function both called and used as a callback returning without r0", """
                lddw %r1, func:+4
                call local +2
                mov %r0, 0
                exit
                exit""",
                "prog.s: function 'func@5': insn 5 'exit': r0 is read before it is written on every path"),
            asm("r1 after a helper call", "call ktime_get_ns\nmov %r0, %r1\nexit",
                "prog.s: function 'prog': insn 1 'mov %r0, %r1': r1 is read after a call clobbered it (calls clobber r1-r5) on some path"),
            asm("r5 after a bpf-to-bpf call", """
                mov %r5, 5
                call local sub
                mov %r0, %r5
                exit
                sub:
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 2 'mov %r0, %r5': r5 is read after a call clobbered it (calls clobber r1-r5) on some path"),
            asm("r0 after bpf_tail_call", """
                .map jmp_table prog_array key=4 value=4 entries=1
                mov %r0, 1
                lddw %r2, map:jmp_table
                mov %r3, 0
                call tail_call
                exit""",
                "prog.s: function 'prog': insn 5 'exit': r0 is read after bpf_tail_call without being written (r0 is undefined after a tail call that falls through)"),
            asm("helper argument never written", """
                .map counters hash key=4 value=8 entries=4
                .program filter socket
                lddw %r1, map:counters
                call map_lookup_elem
                exit""",
                "prog.s: function 'filter': insn 2 'call 1': r2 is read before it is written on every path"),
            asm("callx through an unwritten register", "call %r3\nexit",
                "prog.s: function 'prog': insn 0 'call %r3': r3 is read before it is written on every path"),
            asm("cmpxchg compares with an unwritten r0", "stdw [%r10-8], 0\nlock cmpxchg [%r10-8], %r1\nexit",
                "prog.s: function 'prog': insn 1 'lock cmpxchg [%r10-8], %r1': r0 is read before it is written on every path"),
            asm("packet load without the context in r6", ".program filter socket\nldabsb 0\nexit",
                "prog.s: function 'filter': insn 0 'ldabsb 0': r6 is read before it is written on every path"),

            // --- stack bytes are read only when written on every path ----------------------------------------
            asm("stack never written", "ldxdw %r0, [%r10-8]\nexit",
                "prog.s: function 'prog': insn 0 'ldxdw %r0, [%r10-8]': reads stack byte r10-8, which is not written on every path"),
            asm("stack written only in part", "stw [%r10-8], 0\nldxdw %r0, [%r10-8]\nexit",
                "prog.s: function 'prog': insn 1 'ldxdw %r0, [%r10-8]': reads stack byte r10-4, which is not written on every path"),
            asm("stack written on one path only", "jeq %r1, 0, +1\nstdw [%r10-8], 1\nldxdw %r0, [%r10-8]\nexit",
                "prog.s: function 'prog': insn 2 'ldxdw %r0, [%r10-8]': reads stack byte r10-8, which is not written on every path"),
            asm("unwritten stack read through a derived pointer", "mov %r2, %r10\nadd %r2, -16\nldxw %r0, [%r2+4]\nexit",
                "prog.s: function 'prog': insn 2 'ldxw %r0, [%r2+4]': reads stack byte r10-12, which is not written on every path"),

            // --- stack accesses stay inside [r10-512, r10) ----------------------------------------------------
            asm("load below the frame", "ldxdw %r2, [%r10-520]\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 0 'ldxdw %r2, [%r10-520]': stack access out of bounds (frame is 512 bytes)"),
            asm("store at r10 itself", "stb [%r10], 1\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 0 'stb [%r10], 1': stack access out of bounds (frame is 512 bytes)"),
            asm("8-byte store at r10-4 crosses the top", "stxdw [%r10-4], %r1\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 0 'stxdw [%r10-4], %r1': stack access out of bounds (frame is 512 bytes)"),
            asm("store through a pointer derived below the frame", "mov %r2, %r10\nadd %r2, -516\nstw [%r2], 0\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 2 'stw [%r2], 0': stack access out of bounds (frame is 512 bytes)"),
            asm("variable offset reaching above r10", """
                ldxb %r3, [%r1]
                and %r3, 15
                mov %r2, %r10
                add %r2, %r3
                stb [%r2-8], 0
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 4 'stb [%r2-8], 0': stack access out of bounds (frame is 512 bytes)"),
            asm("unbounded offset from r10", """
                ldxdw %r3, [%r1]
                mov %r2, %r10
                add %r2, %r3
                stb [%r2-8], 0
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 3 'stb [%r2-8], 0': stack access through r2 with an unbounded offset"),
            asm("helper given a pointer below the frame", """
                .map counters hash key=4 value=8 entries=4
                mov %r2, %r10
                add %r2, -600
                lddw %r1, map:counters
                call map_lookup_elem
                exit""",
                "prog.s: function 'prog': insn 4 'call 1': passes r2, a pointer outside the stack frame, to map_lookup_elem"),

            asm("called function writing below the pointer it was given, under the frame", """
                mov %r1, %r10
                add %r1, -8
                call local fill
                mov %r0, 0
                exit
                fill:
                stdw [%r1-512], 0
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 2 'call local +2': passes r1 (r10-8) to 'fill', which reaches r10-520 to r10-512 through it: outside the stack frame"),
            asm("called function writing past the caller's r10", """
                mov %r1, %r10
                add %r1, -8
                call local fill
                mov %r0, 0
                exit
                fill:
                stdw [%r1+8], 0
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 2 'call local +2': passes r1 (r10-8) to 'fill', which reaches r10+0 to r10+8 through it: outside the stack frame"),
            asm("pointer passed on twice, the last callee writing past the first caller's r10", """
                mov %r1, %r10
                add %r1, -16
                call local mid
                mov %r0, 0
                exit
                mid:
                add %r1, 8
                call local leaf
                mov %r0, 0
                exit
                leaf:
                stdw [%r1+8], 0
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 2 'call local +2': passes r1 (r10-16) to 'mid', which reaches r10+0 to r10+8 through it: outside the stack frame"),

            // --- helper calls -------------------------------------------------------------------------------
            asm("map helper without a map reference", """
                mov %r2, %r10
                add %r2, -4
                stw [%r2], 0
                mov %r1, 0
                call map_lookup_elem
                exit""",
                "prog.s: function 'prog': insn 4 'call 1': map_lookup_elem needs a map reference (lddw map:NAME) in r1"),
            asm("map key that runs past r10", """
                .map counters hash key=8 value=8 entries=4
                stw [%r10-4], 0
                mov %r2, %r10
                add %r2, -4
                lddw %r1, map:counters
                call map_lookup_elem
                exit""",
                "prog.s: function 'prog': insn 5 'call 1': the 8-byte key of map 'counters' at r2 (r10-4) does not fit in the stack frame"),
            asm("map value that runs past r10", """
                .map counters hash key=4 value=16 entries=4
                stw [%r10-16], 0
                mov %r2, %r10
                add %r2, -16
                mov %r3, %r10
                add %r3, -8
                lddw %r1, map:counters
                mov %r4, 0
                call map_update_elem
                exit""",
                "prog.s: function 'prog': insn 8 'call 2': the 16-byte value of map 'counters' at r3 (r10-8) does not fit in the stack frame"),
            asm("tail call through a hash map", """
                .map counters hash key=4 value=8 entries=4
                lddw %r2, map:counters
                mov %r3, 0
                call tail_call
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 3 'call 12': bpf_tail_call needs a prog array in r2, but map 'counters' is a hash"),
            asm("arithmetic on a map reference", """
                .map jmp_table prog_array key=4 value=4 entries=4
                lddw %r2, map:jmp_table
                add %r2, 8
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 2 'add %r2, 8': r2 holds a map reference, which only mov, calls and comparisons may use"),
            asm("store through a map reference", """
                .map jmp_table prog_array key=4 value=4 entries=4
                lddw %r2, map:jmp_table
                mov %r3, %r2
                stdw [%r3+8], 0
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 3 'stdw [%r3+8], 0': r3 holds a map reference, which only mov, calls and comparisons may use"),
            asm("load through a map reference chosen per path", """
                .map first prog_array key=4 value=4 entries=4
                .map second prog_array key=4 value=4 entries=4
                lddw %r2, map:first
                jeq %r1, 0, +2
                lddw %r2, map:second
                ldxdw %r0, [%r2]
                exit""",
                "prog.s: function 'prog': insn 5 'ldxdw %r0, [%r2]': r2 holds a map reference, which only mov, calls and comparisons may use"),
            asm("callx of an unknown helper id", "mov %r2, 999\ncall %r2\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 1 'call %r2': calls unknown helper 999 (from r2)"),
            asm("callx whose helper id differs per path", """
                mov %r2, 5
                jeq %r1, 0, +1
                mov %r2, 7
                call %r2
                mov %r0, 0
                exit""",
                "prog.s: function 'prog': insn 3 'call %r2': r2 does not hold the same helper id on every path"),
            asm("callx of bpf_tail_call", "mov %r2, 12\ncall %r2\nmov %r0, 0\nexit",
                "prog.s: function 'prog': insn 1 'call %r2': bpf_tail_call must be called as 'call 12', not through a register"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithTheExactMessage(Case c) {
        Program program = c.program().get();
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(program, c.options()));
        assertEquals(BpfError.Kind.VERIFY, error.kind());
        assertEquals(c.message(), error.getMessage());
    }
}
