package org.trufflebpf.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;

/** Budget blocks start at function starts, branch targets and after branches, calls and exits. */
class BasicBlocksTest {
    @Test
    void blocksEndAtBranchesCallsAndExits() {
        var program = Assembler.assembleProgram("""
                        mov %r0, 0
                        lddw %r1, 0x100000000
                        loop:
                        add %r0, 1
                        jne %r0, 3, loop
                        call 7
                        mov %r2, 1
                        exit
                        """, "b.s");
        int[] lengths = BasicBlocks.blockLengths(program.code());
        // mov, lddw | add, jne | call | mov, exit
        assertArrayEquals(new int[] {2, 0, 2, 0, 1, 2, 0}, lengths);
        assertArrayEquals(new int[] {1}, BasicBlocks.blockLengths(List.of(program.code().get(6))));
    }
}
