package org.trufflebpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.SourceLine;
import org.trufflebpf.model.SourceLines;
import org.trufflebpf.verifier.Verifier;

/** Each instruction knows its source line: C lines from an object's .BTF.ext, assembly lines from the file. */
class LineInfoTest {

    private static Program program(String object) {
        return program(object, 0);
    }

    private static Program program(String object, int index) {
        return ElfLoader.load(ExampleObjects.bytes(object), object).programs().get(index);
    }

    @Test
    void instructionsOfACObjectCarryTheLinesClangRecorded() {
        // As llvm-objdump -S --line-numbers count_lines.o shows, except that BTF puts the first instruction on the
        // function's own line (14) where DWARF has its '{' (15): 1 is 17, 2 is 16, 3..9 are 18, 14..18 are the
        // loop body (22), 19 is the loop test (21), 23..25 the lookup (24).
        Program program = program("count_lines.o");
        int[][] expected = {{0, 14}, {1, 17}, {2, 16}, {3, 18}, {9, 18}, {10, 21}, {14, 22}, {18, 22}, {19, 21}, {20, 23}, {23, 24}, {25, 24},
                        {26, 25}, {27, 26}, {31, 28}};
        for (int[] pair : expected) {
            SourceLine line = program.lineOf(pair[0]);
            assertEquals(pair[1], line.line(), "line of insn " + pair[0]);
            assertEquals("./count_lines.c", line.file(), "the path clang recorded, after -fdebug-prefix-map");
        }
        assertEquals("sum += data[1 + i];", program.lineOf(14).text());
        assertEquals("count_lines.c:22", program.lineOf(14).location());
        assertTrue(program.lineOf(14).column() > 0, "clang records columns");
    }

    @Test
    void calledFunctionsKeepTheirOwnLinesAfterLinking() {
        // bpf2bpf.c's subprograms lie in .text and are appended after the program: their lines come with them.
        Program program = program("bpf2bpf.o");
        int last = program.code().get(program.code().size() - 1).index();
        SourceLine entry = program.lineOf(0);
        SourceLine callee = program.lineOf(last);
        assertEquals("bpf2bpf.c", callee.fileName());
        assertTrue(callee.line() != entry.line(), "the appended callee's last line is its own, not the entry's");
    }

    @Test
    void assemblyInstructionsMapToTheirOwnLines() {
        Program program = Assembler.assembleProgram("# a comment\n    mov %r0, 1\n\n    add %r0, 2 # two\n    exit\n", "prog.s");
        assertEquals(2, program.lineOf(0).line());
        assertEquals(4, program.lineOf(1).line());
        assertEquals("add %r0, 2", program.lineOf(1).text());
        assertEquals(5, program.lineOf(2).line());
    }

    @Test
    void anObjectWithoutLineInfoHasNoLines() {
        Program program = Assembler.assembleProgram("mov %r0, 0\nexit\n", "prog.s").withLines(SourceLines.NONE);
        assertNull(program.lineOf(0));
    }

    @Test
    void verifierRejectionsNameTheCLine() {
        Program program = program("faulty/line_errors.o", 1);
        assertEquals("unchecked_packet_read", program.name());
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(program));
        // "return data[0];" is line 28 of line_errors.c.
        assertEquals("faulty/line_errors.o: line_errors.c:28: function 'unchecked_packet_read': insn 1 'ldxb %r0, [%r1]': invalid access to packet,"
                        + " off=0 size=1, R1(id=0,off=0,r=0): R1 offset is outside of the packet", error.getMessage());
        assertEquals(28, error.source().line());
    }

    @Test
    void assemblyRejectionsKeepTheirFormat() {
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(Assembler.assembleProgram("ldxdw %r0, [%r10-520]\nexit\n", "prog.s")));
        assertTrue(error.getMessage().startsWith("prog.s: function 'prog': insn 0 "), error.getMessage());
    }
}
