package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;

/**
 * An unprivileged loader may not turn a pointer into a number it keeps or shows (the kernel's
 * {@code allow_ptr_leaks} false): each leak is refused at its instruction with the kernel's reason, and the same
 * program verifies for a privileged loader, which may.
 */
class UnprivilegedLoaderTest {
    private static final VerifierOptions UNPRIVILEGED = VerifierOptions.defaults().withPrivileged(false);
    private static final String MAP_VALUE_IN_R0 = """
                    .program prog socket
                    .map values hash key=4 value=8 entries=1
                    stw [%r10-4], 0
                    mov %r2, %r10
                    add %r2, -4
                    lddw %r1, map:values
                    call map_lookup_elem
                    jeq %r0, 0, +2
                    """;

    record Leak(String behaviour, String text, int insn, String reason) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<Leak> leaks() {
        return Stream.of(
            new Leak("a stack pointer stored into a map value", MAP_VALUE_IN_R0 + "stxdw [%r0], %r10\nmov %r0, 0\nexit", 7, "R10 leaks addr into map"),
            new Leak("a map value pointer returned", MAP_VALUE_IN_R0.replace("+2", "+1") + "exit\nmov %r0, 0\nexit", 7, "R0 leaks addr as return value"),
            new Leak("a stack pointer returned", ".program prog socket\nmov %r0, %r10\nexit", 1, "R0 leaks addr as return value"),
            new Leak("a stack pointer given to a helper as its flags", """
                            .program prog socket
                            .map values hash key=4 value=8 entries=1
                            stw [%r10-4], 0
                            stdw [%r10-16], 0
                            mov %r2, %r10
                            add %r2, -4
                            mov %r3, %r10
                            add %r3, -16
                            mov %r4, %r10
                            lddw %r1, map:values
                            call map_update_elem
                            mov %r0, 0
                            exit""", 9, "R4 leaks addr into helper function"),
            new Leak("a stack pointer compared with a number", ".program prog socket\nmov %r2, %r10\nmov %r0, 0\njgt %r2, 100, +1\nexit\nexit", 2,
                            "R2 pointer comparison prohibited"),
            new Leak("a number compared with a stack pointer", ".program prog socket\nmov %r2, %r10\nmov %r0, 0\njgt %r0, %r2, +1\nexit\nexit", 2,
                            "R2 pointer comparison prohibited"),
            new Leak("two stack pointers subtracted", ".program prog socket\nmov %r2, %r10\nmov %r3, %r10\nsub %r2, %r3\nmov %r0, 0\nexit", 2,
                            "R2 pointer -= pointer prohibited"),
            new Leak("a stack pointer's lower half copied", ".program prog socket\nmov32 %r2, %r10\nmov %r0, 0\nexit", 0, "R10 partial copy of pointer"),
            new Leak("a stack pointer negated", ".program prog socket\nmov %r2, %r10\nneg %r2\nmov %r0, 0\nexit", 1, "R2 pointer arithmetic prohibited"),
            new Leak("a stack pointer added atomically to a stack slot", ".program prog socket\nstdw [%r10-8], 0\nmov %r2, %r10\nlock add [%r10-8], %r2\nmov %r0, 0\nexit", 2,
                            "R2 leaks addr into mem"));
    }

    private static Program assemble(String text) {
        return Assembler.assembleProgram(text, "prog.s");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leaks")
    void anUnprivilegedLoaderIsRefusedTheLeak(Leak leak) {
        BpfError e = assertThrows(BpfError.class, () -> Verifier.verify(assemble(leak.text()), UNPRIVILEGED));
        assertTrue(e.getMessage().startsWith("prog.s: function 'prog': insn " + leak.insn() + " '") && e.getMessage().endsWith("': " + leak.reason()), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leaks")
    void aPrivilegedLoaderMayLeak(Leak leak) {
        assertTrue(Verifier.verify(assemble(leak.text())).isVerified());
    }

    @Test
    void nullChecksBoundsChecksAndSpillsAreNoLeaks() {
        String text = """
                        .program prog xdp
                        .map values array key=4 value=8 entries=1
                        stxdw [%r10-16], %r1
                        ldxw %r2, [%r1+0]
                        ldxw %r3, [%r1+4]
                        mov %r4, %r2
                        add %r4, 14
                        jgt %r4, %r3, +9
                        stw [%r10-4], 0
                        mov %r2, %r10
                        add %r2, -4
                        lddw %r1, map:values
                        call map_lookup_elem
                        jeq %r0, 0, +2
                        ldxdw %r1, [%r10-16]
                        stdw [%r0], 1
                        mov %r0, 2
                        exit""";
        assertTrue(Verifier.verify(assemble(text), UNPRIVILEGED).isVerified());
    }
}
