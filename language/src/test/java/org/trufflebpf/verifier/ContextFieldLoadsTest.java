package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.ContextRewriter;
import org.trufflebpf.runtime.ProgramContexts;

/**
 * The verifier finds every load of a context pointer field ({@code data} at 76, {@code data_end} at 80 of
 * {@code __sk_buff}) that reads the context, wherever the context went, and the rewrite turns exactly those
 * into 8-byte loads of the real pointers; one instruction reading the context on one path and other memory on
 * another is refused, as the kernel refuses it.
 */
class ContextFieldLoadsTest {
    private static Program verify(String text) {
        return Verifier.verify(Assembler.assembleProgram(text, "prog.s", 1));
    }

    private static Set<Integer> loads(String text) {
        return verify(text).analysis().contextFieldLoads();
    }

    @Test
    void aSubprogramReadingPacketPointersFromItsContextArgumentIsRewritten() {
        String text = """
                        .program prog tc
                        call local sub
                        exit
                        sub:
                        ldxw %r2, [%r1+76]
                        ldxw %r3, [%r1+80]
                        mov %r0, 0
                        exit
                        """;
        assertEquals(Set.of(2, 3), loads(text));
        Program rewritten = ContextRewriter.rewrite(verify(text));
        // ldxdw %r2, [%r1+SKB_DATA_PTR]: the 8-byte load of the real pointer kept after the struct.
        assertEquals(Opcodes.CLASS_LDX | Opcodes.MODE_MEM | Opcodes.SIZE_DW, rewritten.code().get(2).opcode());
        assertEquals(ProgramContexts.SKB_DATA_PTR, rewritten.code().get(2).offset());
        assertEquals(ProgramContexts.SKB_DATA_END_PTR, rewritten.code().get(3).offset());
    }

    @Test
    void theContextSpilledAndFilledStillHasItsLoadsRewritten() {
        String text = """
                        .program prog tc
                        stxdw [%r10-8], %r1
                        mov %r1, 0
                        ldxdw %r6, [%r10-8]
                        ldxw %r2, [%r6+76]
                        mov %r0, 0
                        exit
                        """;
        assertEquals(Set.of(3), loads(text));
    }

    @Test
    void theSameOffsetThroughAMapValueIsNotAContextLoad() {
        String text = """
                        .program prog tc
                        .map values array key=4 value=128 entries=1
                        stw [%r10-4], 0
                        mov %r2, %r10
                        add %r2, -4
                        lddw %r1, map:values
                        call map_lookup_elem
                        jeq %r0, 0, out
                        ldxw %r2, [%r0+76]
                        out:
                        mov %r0, 0
                        exit
                        """;
        assertEquals(Set.of(), loads(text));
    }

    @Test
    void oneLoadReadingTheContextFromOneCallerAndAMapValueFromAnotherIsRefused() {
        String text = """
                        .program prog tc
                        .map values array key=4 value=128 entries=1
                        mov %r6, %r1
                        stw [%r10-4], 0
                        mov %r2, %r10
                        add %r2, -4
                        lddw %r1, map:values
                        call map_lookup_elem
                        jeq %r0, 0, out
                        mov %r1, %r0
                        call local sub
                        mov %r1, %r6
                        call local sub
                        out:
                        mov %r0, 0
                        exit
                        sub:
                        ldxw %r0, [%r1+76]
                        exit
                        """;
        BpfError e = assertThrows(BpfError.class, () -> verify(text));
        assertEquals("prog.s: function 'sub': insn 14 'ldxw %r0, [%r1+76]': R1 is the context on some paths and another pointer on others: "
                        + "same insn cannot be used with different pointers", e.getMessage());
    }

    @Test
    void oneLoadReadingTheContextOnOnePathAndAMapValueOnAnotherIsRefused() {
        String text = """
                        .program prog tc
                        .map values array key=4 value=128 entries=1
                        mov %r6, %r1
                        stw [%r10-4], 0
                        mov %r2, %r10
                        add %r2, -4
                        lddw %r1, map:values
                        call map_lookup_elem
                        jeq %r0, 0, out
                        ldxw %r3, [%r6+0]
                        jeq %r3, 0, load
                        mov %r6, %r0
                        load:
                        ldxw %r2, [%r6+80]
                        out:
                        mov %r0, 0
                        exit
                        """;
        BpfError e = assertThrows(BpfError.class, () -> verify(text));
        assertTrue(e.getMessage().endsWith("same insn cannot be used with different pointers"), e.getMessage());
    }
}
