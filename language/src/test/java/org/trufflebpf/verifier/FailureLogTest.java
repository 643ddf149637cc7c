package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;

/**
 * {@code bpf verify --log}: the register states, in the kernel's style, along the path on which the verifier
 * found its first rejection; a jump's line shows the state on the edge the path took.
 */
class FailureLogTest {
    private static String log(String text) {
        return Verifier.failureLog(Assembler.assembleProgram(text, "prog.s"), VerifierOptions.defaults());
    }

    @Test
    void showsEachInstructionOfTheFailingPathWithTheRegistersItLeaves() {
        String log = log("""
                        .program prog xdp
                        ldxw %r2, [%r1+0]
                        ldxw %r3, [%r1+4]
                        mov %r4, %r2
                        add %r4, 14
                        mov %r0, 2
                        jgt %r4, %r3, +1
                        ldxb %r0, [%r2+40]
                        exit""");
        assertEquals("""
                        func 'prog'
                        0: R1=ctx() R10=fp0
                        0: (61) ldxw %r2, [%r1] ; R1=ctx() R2=pkt(r=0) R10=fp0
                        1: (61) ldxw %r3, [%r1+4] ; R1=ctx() R2=pkt(r=0) R3=pkt_end() R10=fp0
                        2: (bf) mov %r4, %r2 ; R1=ctx() R2=pkt(r=0) R3=pkt_end() R4=pkt(r=0) R10=fp0
                        3: (07) add %r4, 14 ; R1=ctx() R2=pkt(r=0) R3=pkt_end() R4=pkt(off=14,r=0) R10=fp0
                        4: (b7) mov %r0, 2 ; R0=2 R1=ctx() R2=pkt(r=0) R3=pkt_end() R4=pkt(off=14,r=0) R10=fp0
                        5: (2d) jgt %r4, %r3, +1 ; R0=2 R1=ctx() R2=pkt(r=14) R3=pkt_end() R4=pkt(off=14,r=14) R10=fp0
                        6: (71) ldxb %r0, [%r2+40]
                        invalid access to packet, off=40 size=1, R2(id=0,off=0,r=14): R2 offset is outside of the packet
                        """, log);
    }

    @Test
    void followsTheBranchesThePathTookToTheRejection() {
        String log = log("""
                        .map arr array key=4 value=8 entries=4
                        stw [%r10-4], 1
                        mov %r2, %r10
                        add %r2, -4
                        lddw %r1, map:arr
                        call map_lookup_elem
                        jne %r0, 0, +2
                        mov %r0, 0
                        exit
                        ldxdw %r0, [%r0+8]
                        exit""");
        String[] lines = log.split("\\n");
        assertEquals("6: (55) jne %r0, 0, +2 ; R0=map_value(size=8) R10=fp0", lines[7]);
        assertEquals("9: (79) ldxdw %r0, [%r0+8]", lines[8]);
        assertEquals("invalid access to map value, value_size=8 off=8 size=8: R0 min value is outside of the allowed memory range", lines[9]);
    }

    @Test
    void isEmptyForAProgramThatVerifies() {
        assertEquals("", log("mov %r0, 0\nexit"));
    }
}
