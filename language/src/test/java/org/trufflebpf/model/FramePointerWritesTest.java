package org.trufflebpf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.trufflebpf.asm.Assembler;

/** Which instructions write r10: the one rule the verifier, the interpreter's loader and the native checks share. */
class FramePointerWritesTest {
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
                    mov %r10, 0                    | true
                    add32 %r10, %r1                | true
                    ldxdw %r10, [%r1]              | true
                    lddw %r10, 0x1                 | true
                    lock fetch add [%r1], %r10     | true
                    lock xchg32 [%r1], %r10        | true
                    lock cmpxchg [%r1], %r10       | false
                    lock add [%r1], %r10           | false
                    stxdw [%r10-8], %r1            | false
                    mov %r1, %r10                  | false
                    jeq %r10, 0, +0                | false
                    """)
    void writesFramePointer(String text, boolean writes) {
        Instruction insn = Assembler.assembleProgram(text + "\nexit", "r10.s").code().get(0);
        assertEquals(writes, insn.writesFramePointer(), text);
    }
}
