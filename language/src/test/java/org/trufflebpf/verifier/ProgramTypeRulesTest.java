package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trufflebpf.asm.Assembler;

/**
 * What the program-type rules ({@link ProgramTypeRules}) let through: each type's own context fields, helpers
 * (also through {@code callx}) and LD_ABS, and division by a register that holds 0. What they refuse, each
 * rule with its own message (helpers a type may not call, context fields a type may not load or store or not
 * at that width, LD_ABS/LD_IND outside socket and tc programs, division by an immediate zero), is under
 * {@code verifier_rejects/program_type_rules}, read by {@link VerifierRejectsTest}. (The host kernel judges
 * the same cases alike: ProgramTypeRulesKernelAgreementTest in the tests module.)
 */
class ProgramTypeRulesTest {
    record Case(String behaviour, String text) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<Case> accepted() {
        return Stream.of(
            new Case("a tc program reads data and data_end and writes mark, priority and cb", """
                .program prog tc
                ldxw %r2, [%r1+76]
                ldxw %r3, [%r1+80]
                stw [%r1+8], 1
                mov %r4, 2
                stxw [%r1+32], %r4
                stb [%r1+49], 3
                mov %r0, 0
                exit"""),
            new Case("a socket filter reads len and narrow parts of protocol, writes cb and uses LD_ABS", """
                .program prog socket
                mov %r6, %r1
                ldxw %r2, [%r6+0]
                ldxh %r3, [%r6+16]
                ldxb %r3, [%r6+17]
                stxdw [%r6+48], %r2
                ldabsh 12
                exit"""),
            new Case("an XDP program reads its pointers and may call xdp_adjust_head through callx", """
                .program prog xdp
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                mov %r2, 0
                mov %r3, 44
                call %r3
                mov %r0, 2
                exit"""),
            new Case("division by a register that holds 0 is BPF's defined x / 0 = 0", """
                mov %r0, 7
                mov %r1, 0
                div %r0, %r1
                mod32 %r0, %r1
                exit"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void verifies(Case c) {
        assertTrue(Verifier.verify(Assembler.assembleProgram(c.text(), "prog.s")).isVerified(), c.behaviour());
    }
}
